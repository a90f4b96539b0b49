/**
 * What the style of a converter costs on this Node, and how many times the framework calls one:
 * `npx tsx bench/converterStyle.ts`. Not a test; see docs/benchmarks.md "Converter style".
 *
 * The shipped converters are plain spreads (`{ ...rest, spec: { ...specRest, capacityBytes } }`).
 * On Node 20 (V8 11.3) every such literal that adds a key after a spread gets a hidden class of
 * its own: the objects never share a shape, which costs the literal itself, the garbage
 * collector, and every property access downstream. The twins below do the same with
 * `Object.assign` on the rest objects (the V8 trick the examples no longer carry); both run in
 * this one process through the same framework, so the ratio is theirs alone.
 */
import { kinds } from '../converters/index.js';
import { convertObject } from '../src/convert/convertObject.js';
import type { Converter } from '../src/kinds/defineKind.js';
import { createRegistry } from '../src/kinds/registry.js';
import { parseJson, stringifyJson } from '../src/json/index.js';
import { splitImage, joinImage } from '../converters/platform.example.com/Database/v1alpha1-v1beta1.js';
import { databaseV1, databaseV1alpha1 } from '../test/support/objects.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the twins work on plain JSON
type Obj = Record<string, any>;
const wire = (o: unknown) => parseJson(stringifyJson(o)) as Obj;

/** The Database converters, written with Object.assign on the fresh rest objects. */
const assignTwins: Record<string, (b: Obj) => Obj> = {
  'v1alpha1->v1beta1': ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { image, ...specRest } = spec;
    return Object.assign(rest, { spec: image === undefined ? specRest : Object.assign(specRest, splitImage(image)) });
  },
  'v1beta1->v1alpha1': ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { engine, version, ...specRest } = spec;
    const image = joinImage(engine, version);
    return Object.assign(rest, { spec: image === undefined ? specRest : Object.assign(specRest, { image }) });
  },
  'v1beta1->v1': ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { storageBytes, ...specRest } = spec;
    return Object.assign(rest, {
      spec: storageBytes === undefined ? specRest : Object.assign(specRest, { capacityBytes: storageBytes }),
    });
  },
  'v1->v1beta1': ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { capacityBytes, maintenanceWindow: _dropped, ...specRest } = spec;
    return Object.assign(rest, {
      spec: capacityBytes === undefined ? specRest : Object.assign(specRest, { storageBytes: capacityBytes }),
    });
  },
};

const database = kinds.find((k) => k.kind === 'Database')!;
let calls = 0;
const variant = (twin: boolean) =>
  createRegistry([
    {
      ...database,
      converters: database.converters.map((c): Converter => ({
        ...c,
        convert: (b: never) => {
          calls++;
          return twin ? assignTwins[`${c.from}->${c.to}`]!(b) : c.convert(b);
        },
      })),
    },
  ]);
const registries = { 'plain spreads (shipped)': variant(false), 'Object.assign twins': variant(true) };

const cases: Array<[string, Obj, string]> = [
  ['Database v1alpha1 -> v1 (two hops, nothing stashed)', wire(databaseV1alpha1('db')), 'platform.example.com/v1'],
  ['Database v1 -> v1alpha1 (two hops, a stash written)', wire(databaseV1('db')), 'platform.example.com/v1alpha1'],
];

const RUNS = 7;
const PER_RUN = 10_000;
for (const [label, object, to] of cases) {
  const medians: Record<string, number> = {};
  for (const [name, registry] of Object.entries(registries)) {
    const once = () => {
      const r = convertObject(registry, object, to);
      if (!r.ok) throw new Error(r.failure.message);
    };
    for (let i = 0; i < PER_RUN; i++) once();
    calls = 0;
    once();
    const callsPerObject = calls;
    const runs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < PER_RUN; i++) once();
      runs.push(Number(process.hrtime.bigint() - t0) / PER_RUN / 1e3);
    }
    runs.sort((a, b) => a - b);
    medians[name] = runs[RUNS >> 1]!;
    console.log(`${label}, ${name}: ${medians[name]!.toFixed(2)} us per object, ${callsPerObject} converter calls`);
  }
  const [plain, twin] = Object.values(medians) as [number, number];
  console.log(`  plain / Object.assign: ${(plain / twin).toFixed(2)}x\n`);
}
