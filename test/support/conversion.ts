/** Helpers of the tests that convert objects and call converters directly. */
import { registry } from '../../converters/index.js';
import { convertObject, type ConvertResult } from '../../src/convert/convertObject.js';
import { parseJson, stringifyJson } from '../../src/json/index.js';

export type Obj = Record<string, any>;

/** The converted object of a success; throws (failing the test) on a failure. */
export const ok = (r: ConvertResult): Obj => {
  if (!r.ok) throw new Error(`expected success, got ${r.failure.reason}: ${r.failure.message}`);
  return r.object as Obj;
};

/** The failure of a conversion that must fail. */
export const failure = (r: ConvertResult) => {
  if (r.ok) throw new Error('expected a failure');
  return r.failure;
};

/** One object through the shipped kinds, as the webhook converts it. */
export const convert = (o: unknown, to: string): ConvertResult => convertObject(registry, o, to);

/** Through JSON and back, as the object would travel. */
export const wire = (o: unknown): Obj => parseJson(stringifyJson(o)) as Obj;

/** The converter from `from` to `to` in a kind's list of converters. */
export const converterFn = (
  list: ReadonlyArray<{ from: string; to: string; convert: (b: never) => unknown }>,
  from: string,
  to: string,
) => list.find((c) => c.from === from && c.to === to)!.convert as (b: unknown) => unknown;
