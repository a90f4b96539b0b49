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
 */
export function acceptAnswer(sent: SentReview, status: number, text: string): Record<string, unknown>[] {
  const fail = (why: string): never => {
    throw new ApiserverRejection(
      `conversion webhook for ${String(sent.objects[0]?.apiVersion)}, Kind=${String(sent.objects[0]?.kind)} failed: ${why}`,
    );
  };
  if (status < 200 || status > 299)
    fail(`an error on the server has prevented the request from succeeding (HTTP ${status})`);
  if (text.length === 0) fail('0-length response');
  let review: Record<string, unknown>;
  try {
    review = parseJson(text) as Record<string, unknown>;
  } catch (e) {
    return fail(`invalid JSON: ${(e as Error).message}`);
  }
  const expected = `apiextensions.k8s.io/${sent.reviewVersion}`;
  if (review.apiVersion !== expected || review.kind !== 'ConversionReview') {
    if (sent.reviewVersion === 'v1')
      fail(
        `expected webhook response of ${expected}, Kind=ConversionReview, got ${String(review.apiVersion)}, Kind=${String(review.kind)}`,
      );
    else if (review.apiVersion !== expected) fail('unknown conversion');
  }
  const response = review.response as Record<string, unknown> | undefined | null;
  if (!response) fail('no response provided');
  if (sent.reviewVersion === 'v1' && response!.uid !== sent.uid)
    fail(`expected response.uid="${sent.uid}", got "${String(response!.uid)}"`);
  const result = (response!.result ?? {}) as Record<string, unknown>;
  if (result.status !== 'Success') {
    fail(
      typeof result.message === 'string' && result.message
        ? result.message
        : `response.result.status was '${String(result.status)}', not 'Success'`,
    );
  }
  const converted = (response!.convertedObjects ?? []) as Record<string, unknown>[];
  if (converted.length !== sent.objects.length) {
    throw new ApiserverRejection(
      `conversion webhook returned ${converted.length} objects, expected ${sent.objects.length}`,
    );
  }
  return converted.map((out, i) => {
    const original = sent.objects[i]!;
    const at = `invalid converted object at index ${i}`;
    if (out.apiVersion !== sent.desiredAPIVersion)
      fail(`${at}: invalid groupVersion (expected ${sent.desiredAPIVersion}, received ${String(out.apiVersion)})`);
    if (out.kind !== original.kind)
      fail(`${at}: invalid kind (expected ${String(original.kind)}, received ${String(out.kind)})`);
    for (const field of ['name', 'namespace', 'uid'] as const) {
      const a = meta(original)[field] ?? '';
      const b = meta(out)[field] ?? '';
      if (a !== b) fail(`${at}: must have the same ${field}: ${String(a)} != ${String(b)}`);
    }
    return restoreObjectMeta(original, out, fail);
  });
}

const meta = (o: Record<string, unknown>): Record<string, unknown> =>
  (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<string, unknown>;

function restoreObjectMeta(
  original: Record<string, unknown>,
  converted: Record<string, unknown>,
  fail: (why: string) => never,
): Record<string, unknown> {
  if (!Object.hasOwn(converted, 'metadata')) fail('missing metadata in converted object');
  const responseMeta = converted.metadata;
  if (typeof responseMeta !== 'object' || responseMeta === null || Array.isArray(responseMeta))
    fail(`invalid metadata of type ${typeof responseMeta} in converted object`);
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
      fail(`invalid metadata.${field} in converted object`);
    const before = (restored[field] ?? {}) as Record<string, unknown>;
    const after = fromResponse as Record<string, unknown>;
    let changed = Object.keys(before).length !== Object.keys(after).length;
    for (const [k, v] of Object.entries(after)) {
      if (typeof v !== 'string') fail(`metadata.${field}[${k}] must be a string`);
      if (before[k] !== v) changed = true;
    }
    if (changed) {
      const problems =
        field === 'labels'
          ? validateLabels(after as Record<string, string>)
          : validateAnnotations(after as Record<string, string>);
      if (problems.length) fail(problems.join(', '));
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

function validateLabels(labels: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!isQualifiedName(k)) problems.push(`metadata.labels: Invalid value: "${k}"`);
    if (v.length > 63 || !LABEL_VALUE.test(v)) problems.push(`metadata.labels: Invalid value: "${v}"`);
  }
  return problems;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function validateAnnotations(annotations: Record<string, string>): string[] {
  const problems: string[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    if (!isQualifiedName(k.toLowerCase())) problems.push(`metadata.annotation: Invalid value: "${k}"`);
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT)
    problems.push(`metadata.annotation: Too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`);
  return problems;
}
