/**
 * Checking answers. The service's answer must be the exact conversion: every object equal, as
 * JSON, to the v1 object the generator derived by hand, integers beyond 2^53 to the last digit.
 * The floor promises less (it is not lossless), so its answer is checked for shape only: the
 * review echoed, every object in order with the desired apiVersion.
 */
import { jsonEqual, parseJson } from '../src/json/index.js';
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

/** The service's answer: exactly the expected conversion of every object. */
export function checkServiceAnswer(payload: ReviewPayload, status: number, body: Buffer): void {
  let parsed: unknown;
  try {
    parsed = parseJson(body.toString('utf8'));
  } catch (e) {
    throw new WrongAnswer(`the answer is not JSON: ${(e as Error).message}`);
  }
  const objects = envelope(payload, status, parsed);
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
  const objects = envelope(payload, status, parsed);
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    if (!isRecord(o) || o.apiVersion !== payload.desiredAPIVersion)
      throw new WrongAnswer(`object ${i} is not at ${payload.desiredAPIVersion}`);
    if (nameOf(o) !== nameOf(payload.cases[i]!.sent))
      throw new WrongAnswer(`object ${i} is ${nameOf(o)}, not ${nameOf(payload.cases[i]!.sent)}`);
  }
}

export const checkAnswer: Record<ServerName, (payload: ReviewPayload, status: number, body: Buffer) => void> = {
  service: checkServiceAnswer,
  floor: checkFloorAnswer,
};
