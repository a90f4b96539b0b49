import { isJsonObject } from '../json/objects.js';

/**
 * The ConversionReview envelope, in the two versions the apiserver speaks. The answer must be
 * in the version of the request, or the apiserver rejects it ("unknown conversion").
 */
export const REVIEW_VERSIONS = ['apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1'] as const;
export type ReviewVersion = (typeof REVIEW_VERSIONS)[number];

export interface ConversionRequest {
  readonly reviewVersion: ReviewVersion;
  readonly uid: string;
  /** Absent or malformed parts of an identifiable request are answered with a Failure. */
  readonly desiredAPIVersion: unknown;
  readonly objects: unknown;
}

export interface ConversionResponse {
  readonly reviewVersion: ReviewVersion;
  readonly uid: string;
  readonly result: { status: 'Success' } | { status: 'Failure'; message: string };
  /** Already-serialized converted objects, in request order (see encodeResponse). */
  readonly convertedObjects: readonly string[];
}

/**
 * Read the envelope of a parsed body. Anything that cannot be answered in kind (not a
 * ConversionReview, unknown review version, no request uid) is an error for a 400; a review we
 * can identify but not serve gets a Failure in the response instead. A `response` stanza the
 * apiserver may include is ignored.
 */
export function readReview(body: unknown): ConversionRequest | { error: string } {
  if (!isJsonObject(body)) return { error: 'the body is not a JSON object' };
  if (body.kind !== 'ConversionReview')
    return { error: 'the body is not a ConversionReview (kind must be "ConversionReview")' };
  const reviewVersion = REVIEW_VERSIONS.find((v) => v === body.apiVersion);
  if (!reviewVersion) {
    return {
      error: `unsupported ConversionReview apiVersion ${JSON.stringify(body.apiVersion)} (supported: ${REVIEW_VERSIONS.join(', ')})`,
    };
  }
  const request = Object.hasOwn(body, 'request') ? body.request : undefined;
  if (!isJsonObject(request)) return { error: 'the ConversionReview has no request' };
  if (typeof request.uid !== 'string' || request.uid === '')
    return { error: 'the ConversionReview request has no uid' };
  return { reviewVersion, uid: request.uid, desiredAPIVersion: request.desiredAPIVersion, objects: request.objects };
}

/**
 * Serialize the answer. Converted objects arrive as JSON text already (serialized one by one:
 * the exact-integer path is then taken only for the objects that need it), so the envelope is
 * assembled around them, in pieces: a 50 MB answer is never joined into one string.
 */
export function encodeResponseParts(response: ConversionResponse): string[] {
  const result = response.result.status === 'Success' ? SUCCESS_JSON : JSON.stringify(response.result);
  const head = `{"apiVersion":"${response.reviewVersion}","kind":"ConversionReview","response":{"uid":${JSON.stringify(response.uid)},"result":${result}`;
  if (response.result.status !== 'Success') return [`${head}}}`];
  const objects = response.convertedObjects;
  if (objects.length <= OBJECTS_PER_PART) return [`${head},"convertedObjects":[${objects.join(',')}]}}`];
  const parts = [`${head},"convertedObjects":[`];
  for (let i = 0; i < objects.length; i += OBJECTS_PER_PART) {
    parts.push((i === 0 ? '' : ',') + objects.slice(i, i + OBJECTS_PER_PART).join(','));
  }
  parts.push(']}}');
  return parts;
}

/**
 * The answer around its converted objects, for writing it out piece by piece: `head`, then the
 * objects separated by commas, then `tail`. A Failure has no objects: head and tail are all.
 */
export function responseFrame(response: ConversionResponse): { head: string; tail: string } {
  const result = response.result.status === 'Success' ? SUCCESS_JSON : JSON.stringify(response.result);
  const head = `{"apiVersion":"${response.reviewVersion}","kind":"ConversionReview","response":{"uid":${JSON.stringify(response.uid)},"result":${result}`;
  if (response.result.status !== 'Success') return { head: `${head}}}`, tail: '' };
  return { head: `${head},"convertedObjects":[`, tail: ']}}' };
}

/** The result of every successful review; review versions are plain ASCII and need no escaping. */
const SUCCESS_JSON = JSON.stringify({ status: 'Success' });

/** Enough objects per piece that writes stay few, few enough that no piece is huge. */
const OBJECTS_PER_PART = 256;

export const encodeResponse = (response: ConversionResponse): string => encodeResponseParts(response).join('');
