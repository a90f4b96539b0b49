/**
 * Checking answers. The service's answer must be the exact conversion: every object equal, as
 * JSON, to the object the generator derived by hand (or, for generated objects, to the library's
 * in-process conversion, with every integer beyond 2^53 found again in the answer), integers
 * beyond 2^53 to the last digit. The floors promise less (the Node floor is not lossless, neither
 * converts), so their answers are checked for shape: the review echoed, every object in order with
 * the desired apiVersion; the Go floor's, which is lossless, also for every long integer's digits.
 * controller-runtime's typed round trip rewrites objects (empty structs written out, unknown
 * fields dropped), so its answer is checked for shape and for the converted field: each object's
 * v2 schedule must be the expected one.
 */
import { jsonEqual, parseJson } from '../src/json/index.js';
import { longIntegers } from './generated.js';
import type { ReviewPayload } from './payloads.js';
import type { ServerName } from './servers.js';

export class WrongAnswer extends Error {
  override name = 'WrongAnswer';
}

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The review envelope of an answer, checked against what was sent; its convertedObjects. */
function envelope(payload: ReviewPayload, status: number, parsed: unknown): unknown[] {
  if (status !== 200) throw new WrongAnswer(`HTTP ${status}`);
  if (!isRecord(parsed)) throw new WrongAnswer('the answer is not a JSON object');
  if (parsed.apiVersion !== 'apiextensions.k8s.io/v1' || parsed.kind !== 'ConversionReview') {
    throw new WrongAnswer(
      `the answer is not a ConversionReview v1 (apiVersion ${String(parsed.apiVersion)}, kind ${String(parsed.kind)})`,
    );
  }
  const response = parsed.response;
  if (!isRecord(response)) throw new WrongAnswer('the answer has no response');
  if (response.uid !== payload.uid)
    throw new WrongAnswer(`the answer's uid ${String(response.uid)} is not the request's ${payload.uid}`);
  const result = response.result;
  if (!isRecord(result) || result.status !== 'Success') {
    throw new WrongAnswer(
      `the conversion did not succeed: ${isRecord(result) ? String(result.message ?? result.status) : 'no result'}`,
    );
  }
  const objects = response.convertedObjects;
  if (!Array.isArray(objects)) throw new WrongAnswer('the answer has no convertedObjects');
  if (objects.length !== payload.cases.length)
    throw new WrongAnswer(`${objects.length} objects came back for ${payload.cases.length} sent`);
  return objects;
}

/** Where two JSON values first differ, as a path (for the message); undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (jsonEqual(a, b)) return undefined;
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[key], b[key], `${path}.${key}`);
      if (d !== undefined) return d;
    }
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
  }
  return path || '(root)';
}

const nameOf = (o: unknown): string => {
  const meta = isRecord(o) ? o.metadata : undefined;
  return isRecord(meta) ? `${String(meta.namespace)}/${String(meta.name)}` : '(unnamed)';
};

/** Every integer beyond 2^53 of the request must be in the answer, digit for digit (as a number, or inside a stash). */
function checkLongIntegers(payload: ReviewPayload, text: string): void {
  const sent = longIntegers(payload.body.toString('utf8'));
  if (sent.length === 0) return;
  const answered = new Set(longIntegers(text));
  for (const n of sent) {
    if (!answered.has(n) && !text.includes(n))
      throw new WrongAnswer(`the integer ${n} of the request is not in the answer with all its digits`);
  }
}

const parseExact = (body: Buffer): { text: string; parsed: unknown } => {
  const text = body.toString('utf8');
  try {
    return { text, parsed: parseJson(text) };
  } catch (e) {
    throw new WrongAnswer(`the answer is not JSON: ${(e as Error).message}`);
  }
};

/** The service's answer: exactly the expected conversion of every object. */
export function checkServiceAnswer(payload: ReviewPayload, status: number, body: Buffer): void {
  const { text, parsed } = parseExact(body);
  const objects = envelope(payload, status, parsed);
  if (payload.family === 'generated') checkLongIntegers(payload, text);
  for (let i = 0; i < objects.length; i++) {
    const expected = payload.cases[i]!.expected;
    const where = firstDifference(objects[i], expected);
    if (where !== undefined)
      throw new WrongAnswer(
        `object ${i} (${nameOf(expected)}) is not the expected ${payload.desiredAPIVersion} conversion: it differs at ${where}`,
      );
  }
}

/** The floor's answer: the review echoed, each object in order and at the desired apiVersion. */
export function checkFloorAnswer(payload: ReviewPayload, status: number, body: Buffer): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new WrongAnswer(`the answer is not JSON: ${(e as Error).message}`);
  }
  checkShape(payload, envelope(payload, status, parsed));
}

/** Each object in order, at the desired apiVersion. */
function checkShape(payload: ReviewPayload, objects: unknown[]): void {
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    if (!isRecord(o) || o.apiVersion !== payload.desiredAPIVersion)
      throw new WrongAnswer(`object ${i} is not at ${payload.desiredAPIVersion}`);
    if (nameOf(o) !== nameOf(payload.cases[i]!.sent))
      throw new WrongAnswer(`object ${i} is ${nameOf(o)}, not ${nameOf(payload.cases[i]!.sent)}`);
  }
}

/** The Go floor's answer: the shape, and every long integer's digits (encoding/json with UseNumber keeps them). */
export function checkGoFloorAnswer(payload: ReviewPayload, status: number, body: Buffer): void {
  const { text, parsed } = parseExact(body);
  checkShape(payload, envelope(payload, status, parsed));
  checkLongIntegers(payload, text);
}

/** controller-runtime's answer: the shape, and each object's schedule converted as expected. */
export function checkControllerRuntimeAnswer(payload: ReviewPayload, status: number, body: Buffer): void {
  const { parsed } = parseExact(body);
  const objects = envelope(payload, status, parsed);
  checkShape(payload, objects);
  for (let i = 0; i < objects.length; i++) {
    const spec = (objects[i] as Json).spec;
    const expected = (payload.cases[i]!.expected.spec as Json | undefined)?.schedule;
    if (!isRecord(spec) || !jsonEqual(spec.schedule, expected))
      throw new WrongAnswer(`object ${i} (${nameOf(objects[i])}): its schedule is not the expected conversion`);
  }
}

export const checkAnswer: Record<ServerName, (payload: ReviewPayload, status: number, body: Buffer) => void> = {
  service: checkServiceAnswer,
  'service-2': checkServiceAnswer,
  floor: checkFloorAnswer,
  'go-floor': checkGoFloorAnswer,
  'controller-runtime': checkControllerRuntimeAnswer,
};

/** What was checked of a server's answer, for the results. */
export const CHECKED: Record<ServerName, string> = {
  service: 'equal to the expected conversion',
  'service-2': 'equal to the expected conversion',
  floor: 'at the desired apiVersion, in order',
  'go-floor': 'at the desired apiVersion, in order, every integer beyond 2^53 with all its digits',
  'controller-runtime': 'at the desired apiVersion, in order, each schedule converted as expected',
};
