/**
 * The kube-apiserver's side of the conversion protocol, emulated faithfully to
 * apiextensions-apiserver pkg/apiserver/conversion/webhook_converter.go: builds requests as it
 * does and applies every check it makes to the answer, in the same order, with its messages.
 * A test that passes here is an answer the real apiserver accepts.
 */
import { randomUUID } from 'node:crypto';
import { parseJson } from '../../src/json/index.js';

export type ReviewVersion = 'v1' | 'v1beta1';

export interface SentReview {
  readonly uid: string;
  readonly reviewVersion: ReviewVersion;
  readonly desiredAPIVersion: string;
  readonly objects: readonly Record<string, unknown>[];
  readonly body: Record<string, unknown>;
  /**
   * The apiserver checks an answer for one object (get, create, update, patch, watch events) and
   * an answer for a list with different code and messages; true for the former. Default: the list
   * path when several objects were sent, the single-object path for one.
   */
  readonly single?: boolean;
}

/** A ConversionReview as the apiserver sends it (objects already in the desired version are never sent). */
export function buildReview(
  objects: readonly Record<string, unknown>[],
  desiredAPIVersion: string,
  reviewVersion: ReviewVersion = 'v1',
): SentReview {
  const uid = randomUUID();
  const toSend = objects.filter((o) => o.apiVersion !== desiredAPIVersion);
  return {
    uid,
    reviewVersion,
    desiredAPIVersion,
    objects: toSend,
    body: {
      apiVersion: `apiextensions.k8s.io/${reviewVersion}`,
      kind: 'ConversionReview',
      request: { uid, desiredAPIVersion, objects: toSend },
    },
  };
}

export class ApiserverRejection extends Error {}

/**
 * Check an HTTP answer the way the apiserver does; return the converted objects as the apiserver
 * would use them (metadata restored from the originals except labels and annotations).
 *
 * Messages are those of kube-apiserver v1.37.2, checked against the real one by the e2e suite
 * (test/e2e/failures.e2e.ts): for one object (get, create, update, patch, watch events, and each
 * object a watch cache converts) the apiserver's single-object wording; for several objects sent
 * together, its list wording. A user sees the message inside the apiserver's own wrapping, e.g.
 * `Internal error occurred: StorageError: corrupt object, ... object not decodable revision=N: `.
 */
export function acceptAnswer(
  sent: SentReview,
  status: number,
  text: string,
  contentType = 'application/json',
): Record<string, unknown>[] {
  const gvk = `${String(sent.objects[0]?.apiVersion)}, Kind=${String(sent.objects[0]?.kind)}`;
  const single = sent.single ?? sent.objects.length === 1;
  const reject = (message: string): never => {
    throw new ApiserverRejection(message);
  };
  const fail = (why: string): never => reject(`conversion webhook for ${gvk} failed: ${why}`);
  if (status < 200 || status > 299) fail(httpError(status, text, contentType));
  if (text.length === 0) fail(`0-length response with status code: ${status} and content type: ${contentType}`);
  let review: Record<string, unknown>;
  try {
    review = parseJson(text) as Record<string, unknown>;
  } catch {
    // Go's encoding/json wording differs from ours; the prefix is the apiserver's.
    return fail("couldn't get version/kind; json parse error: unexpected end of JSON input");
  }
  // The answer is decoded into the request's ConversionReview type by the scheme.
  const expected = `apiextensions.k8s.io/${sent.reviewVersion}`;
  const known = ['apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1'];
  if (review.kind !== 'ConversionReview' || !known.includes(String(review.apiVersion)))
    fail(
      `no kind "${String(review.kind)}" is registered for version "${String(review.apiVersion)}" in scheme "pkg/runtime/scheme.go:111"`,
    );
  if (review.apiVersion !== expected) {
    const [from, to] = [String(review.apiVersion).split('/')[1], sent.reviewVersion];
    fail(`converting (${from}.ConversionReview) to (${to}.ConversionReview): unknown conversion`);
  }
  const response = review.response as Record<string, unknown> | undefined | null;
  if (!response) fail('no response provided');
  if (sent.reviewVersion === 'v1' && response!.uid !== sent.uid)
    fail(`expected response.uid="${sent.uid}", got "${String(response!.uid ?? '')}"`);
  const result = (response!.result ?? {}) as Record<string, unknown>;
  if (result.status !== 'Success') {
    fail(
      typeof result.message === 'string' && result.message
        ? result.message
        : `response.result.status was '${String(result.status ?? '')}', not 'Success'`,
    );
  }
  const converted = (response!.convertedObjects ?? []) as Record<string, unknown>[];
  if (converted.length !== sent.objects.length)
    reject(`conversion webhook for ${gvk} returned ${converted.length} objects, expected ${sent.objects.length}`);
  return converted.map((out, i) => {
    const original = sent.objects[i]!;
    const objectAt = single ? 'invalid object at index 0' : `invalid converted object at index ${i}`;
    if (out.apiVersion !== sent.desiredAPIVersion)
      reject(
        `conversion webhook for ${gvk} returned ${objectAt}: invalid groupVersion (expected ${sent.desiredAPIVersion}, received ${String(out.apiVersion)})`,
      );
    if (out.kind !== original.kind)
      reject(
        `conversion webhook for ${gvk} returned ${objectAt}: invalid kind (expected ${String(original.kind)}, received ${String(out.kind)})`,
      );
    const invalid = single ? 'invalid object' : `invalid converted object at index ${i}`;
    for (const [field, label] of [
      ['name', 'name'],
      ['namespace', 'namespace'],
      ['uid', 'UID'],
    ] as const) {
      const a = meta(original)[field] ?? '';
      const b = meta(out)[field] ?? '';
      if (a !== b)
        reject(
          `conversion webhook for ${gvk} returned ${invalid}: must have the same ${label}: ${String(a)} != ${String(b)}`,
        );
    }
    const metadataAt = single ? 'invalid metadata' : `invalid metadata in object at index ${i}`;
    return restoreObjectMeta(original, out, (why) =>
      reject(`conversion webhook for ${gvk} returned ${metadataAt}: ${why}`),
    );
  });
}

/** client-go's error for a non-2xx answer that is not a Status: the body only when it is text. */
function httpError(status: number, text: string, contentType: string): string {
  try {
    const statusObject = JSON.parse(text) as Record<string, unknown>;
    if (statusObject.kind === 'Status' && typeof statusObject.message === 'string') return statusObject.message;
  } catch {
    /* not a Status */
  }
  const isText = contentType === '' || contentType.startsWith('text/');
  const serverMessage = isText ? text.trim() : 'unknown';
  if (status >= 500 && status !== 503 && status !== 504)
    return `an error on the server ("${serverMessage}") has prevented the request from succeeding`;
  if (status === 503) return 'the server is currently unable to handle the request';
  if (status === 504)
    return 'the server was unable to return a response in the time allotted, but may still be processing the request';
  if (status === 404) return 'the server could not find the requested resource';
  if (status === 400) return 'the server rejected our request for an unknown reason';
  if (status === 429) return 'the server has received too many requests and has asked us to try again later';
  return serverMessage;
}

const meta = (o: Record<string, unknown>): Record<string, unknown> =>
  (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<string, unknown>;

const goType = (v: unknown): string =>
  v === null
    ? '<nil>'
    : typeof v === 'string'
      ? 'string'
      : typeof v === 'boolean'
        ? 'bool'
        : typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))
          ? 'int64'
          : typeof v === 'number'
            ? 'float64'
            : Array.isArray(v)
              ? '[]interface {}'
              : 'map[string]interface {}';

function restoreObjectMeta(
  original: Record<string, unknown>,
  converted: Record<string, unknown>,
  fail: (why: string) => never,
): Record<string, unknown> {
  if (!Object.hasOwn(converted, 'metadata')) fail('missing metadata in converted object');
  const responseMeta = converted.metadata;
  if (typeof responseMeta !== 'object' || responseMeta === null || Array.isArray(responseMeta))
    fail(`invalid metadata of type ${goType(responseMeta)} in converted object`);
  const restored: Record<string, unknown> = Object.hasOwn(original, 'metadata')
    ? (structuredClone(original.metadata as object) as Record<string, unknown>)
    : {};
  if (typeof restored !== 'object' || restored === null) fail('invalid metadata of type <nil> in input object');
  for (const field of ['labels', 'annotations'] as const) {
    const fromResponse = (responseMeta as Record<string, unknown>)[field];
    if (fromResponse === undefined || fromResponse === null) {
      delete restored[field];
      continue;
    }
    if (typeof fromResponse !== 'object' || Array.isArray(fromResponse))
      fail(`invalid metadata.${field} of type ${goType(fromResponse)} in converted object`);
    const before = (restored[field] ?? {}) as Record<string, unknown>;
    const after = fromResponse as Record<string, unknown>;
    let changed = Object.keys(before).length !== Object.keys(after).length;
    for (const [k, v] of Object.entries(after)) {
      if (typeof v !== 'string')
        fail(`metadata.${field}[${k}] must be a string, but is ${goType(v)} in converted object`);
      if (before[k] !== v) changed = true;
    }
    if (changed) {
      const problems =
        field === 'labels'
          ? validateLabels(after as Record<string, string>)
          : validateAnnotations(after as Record<string, string>);
      // field.ErrorList.ToAggregate(): one error alone, several in brackets.
      if (problems.length === 1) fail(problems[0]!);
      if (problems.length > 1) fail(`[${problems.join(', ')}]`);
    }
    restored[field] = after;
  }
  return { ...converted, metadata: restored };
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** apimachinery validation.IsQualifiedName */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) return false;
  }
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

const QUALIFIED_NAME_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function validateLabels(labels: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!isQualifiedName(k)) problems.push(`metadata.labels: Invalid value: "${k}": ${QUALIFIED_NAME_MESSAGE}`);
    if (Buffer.byteLength(v) > 63)
      problems.push(`metadata.labels: Invalid value: "${v}": must be no more than 63 bytes`);
    if (!LABEL_VALUE.test(v)) problems.push(`metadata.labels: Invalid value: "${v}": ${LABEL_VALUE_MESSAGE}`);
  }
  return problems;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function validateAnnotations(annotations: Record<string, string>): string[] {
  const problems: string[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    if (!isQualifiedName(k.toLowerCase()))
      problems.push(`metadata.annotation: Invalid value: "${k}": ${QUALIFIED_NAME_MESSAGE}`);
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT)
    problems.push(`metadata.annotation: Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`);
  return problems;
}
