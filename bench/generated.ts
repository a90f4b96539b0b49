/**
 * Generated payloads: Database objects at v1alpha1 as the codec arbitraries make them
 * (src/testing/generators/arbitrary.ts for the body, metadataArbitrary for the metadata): random keys
 * (`__proto__`, `a/b`, unicode), strings from all of unicode, free-keyed maps, and integers
 * beyond 2^53 wherever an Int64 may hold one, which about two objects in three do. Sampled with a
 * fixed seed, so the bytes are the same on every machine.
 *
 * The expected answer of such an object cannot be derived by hand as the realistic ones are, so
 * it is the library's own in-process conversion (the property tests prove that conversion
 * lossless), plus a check that needs no converter: every integer beyond 2^53 that was sent comes
 * back with all its digits (see longIntegers).
 */
import fc from 'fast-check';
import { database } from '../converters/platform.example.com/Database/index.js';
import { v1alpha1 } from '../converters/platform.example.com/Database/v1alpha1.js';
import { arbitraryFor } from '../src/testing/generators/arbitrary.js';
import { metadataArbitrary } from '../src/testing/generators/metadataArbitrary.js';
import { parseJson, stringifyJson } from '../src/json/index.js';
import { createRegistry } from '../src/kinds/registry.js';
import { handleReview } from '../src/review/handleReview.js';
import { DESIRED_API_VERSION, SOURCE_API_VERSION, type Case } from './payloads.js';

type Json = Record<string, unknown>;

/** Whether a JSON value holds a bigint (an integer beyond 2^53) anywhere. */
export const holdsBigint = (v: unknown): boolean =>
  typeof v === 'bigint' || (typeof v === 'object' && v !== null && Object.values(v).some(holdsBigint));

/** Every integer literal of 16 digits or more in a JSON text, outside strings, in order. */
export function longIntegers(text: string): string[] {
  const out: string[] = [];
  // Strings are skipped whole; a long run of digits outside them is a number.
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|-?\d{16,}(?![.eE\d])/g)) if (m[0][0] !== '"') out.push(m[0]);
  return out;
}

/** `count` generated Database objects, each with the v1 object the service converts it to. */
export function generatedCases(seed: number, count: number): Case[] {
  const arbitrary = fc.record({
    metadata: metadataArbitrary({ namespaced: true, apiVersions: [SOURCE_API_VERSION, DESIRED_API_VERSION] }),
    body: arbitraryFor(v1alpha1.codec),
  });
  const samples = fc.sample(arbitrary, { seed, numRuns: count });
  const sent: Json[] = samples.map(({ metadata, body }) => ({
    apiVersion: SOURCE_API_VERSION,
    kind: 'Database',
    metadata,
    ...(body as Json),
  }));
  // The expected answers: the library's conversion, in process, of the same text the servers get.
  const registry = createRegistry([database]);
  const text = `{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":"expected","desiredAPIVersion":${JSON.stringify(DESIRED_API_VERSION)},"objects":[${sent.map((o) => stringifyJson(o)).join(',')}]}}`;
  const parsed = parseJson(text) as { request: { objects: unknown } };
  const outcome = handleReview(registry, {
    reviewVersion: 'apiextensions.k8s.io/v1',
    uid: 'expected',
    desiredAPIVersion: DESIRED_API_VERSION,
    objects: parsed.request.objects,
  });
  if (outcome.response.result.status !== 'Success')
    throw new Error(`generated objects do not convert in process: ${outcome.failure ?? 'failure'}`);
  return sent.map((o, i) => ({
    sent: o,
    expected: parseJson(outcome.response.convertedObjects[i]!) as Json,
    int64: holdsBigint(o),
  }));
}
