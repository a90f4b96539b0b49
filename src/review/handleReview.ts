import { convertObject, describeObject, type ConvertResult, type StashOutcome } from '../convert/convertObject.js';
import type { FailureReason } from '../convert/errors.js';
import { ownValue } from '../convert/paths.js';
import { stringifyJson } from '../json/index.js';
import type { Registry } from '../kinds/registry.js';
import type { ConversionRequest, ConversionResponse } from './review.js';

/** What happened to each object, for metrics and logs (names only, never content). */
export interface ObjectOutcome {
  readonly kind: string;
  readonly from: string;
  readonly to: string;
  readonly ok: boolean;
  readonly reason?: FailureReason;
  readonly stash: StashOutcome;
  readonly stashProblem?: string;
  readonly object: string;
}

export interface ReviewOutcome {
  readonly response: ConversionResponse;
  readonly objects: readonly ObjectOutcome[];
  /** Why the review failed, when it did. */
  readonly failure?: string;
}

/**
 * Serialize one converted object (so that only objects holding big integers take the exact
 * path). An object nested too deeply for the serializer fails like any other object.
 */
function serialized(result: ConvertResult): (ConvertResult & { ok: false }) | (ConvertResult & { ok: true; json: string }) {
  if (!result.ok) return result;
  try {
    return { ...result, json: stringifyJson(result.object) };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const message = `${describeObject(result.object)}: the converted object is nested too deeply to serialize`;
    return { ok: false, from: result.from, failure: { reason: 'TooDeep', message } };
  }
}

/** How many failing objects one Failure message names before it summarises the rest. */
const NAMED_FAILURES = 3;

/**
 * Answer one ConversionReview. The apiserver needs every object converted, in order, or the
 * whole request fails: one object that cannot convert makes the answer a Failure (HTTP 200)
 * whose message names the objects and why, which the apiserver shows to the user verbatim.
 */
export function handleReview(registry: Registry, request: ConversionRequest): ReviewOutcome {
  const { reviewVersion, uid, desiredAPIVersion, objects } = request;
  const failWith = (message: string, outcomes: ObjectOutcome[] = []): ReviewOutcome => ({
    response: { reviewVersion, uid, result: { status: 'Failure', message }, convertedObjects: [] },
    objects: outcomes,
    failure: message,
  });
  if (typeof desiredAPIVersion !== 'string' || desiredAPIVersion === '') {
    return failWith('the ConversionReview request has no desiredAPIVersion');
  }
  if (!Array.isArray(objects)) return failWith('the ConversionReview request has no objects list');
  const to = desiredAPIVersion.slice(desiredAPIVersion.lastIndexOf('/') + 1);

  const converted: string[] = [];
  const outcomes: ObjectOutcome[] = [];
  const failures: string[] = [];
  for (let i = 0; i < objects.length; i++) {
    const input = objects[i];
    const result = serialized(convertObject(registry, input, desiredAPIVersion));
    const kind = typeof ownValue(input, 'kind') === 'string' ? (ownValue(input, 'kind') as string) : '';
    if (result.ok) {
      converted.push(result.json);
      outcomes.push({
        kind, from: result.from, to, ok: true, stash: result.stash,
        get object() {
          return describeObject(input); // named lazily: only debug logs and stash problems need it
        },
        ...(result.stashProblem !== undefined && { stashProblem: result.stashProblem }),
      });
    } else {
      failures.push(objects.length > 1 ? `object ${i}: ${result.failure.message}` : result.failure.message);
      outcomes.push({ kind, from: result.from ?? '', to, ok: false, reason: result.failure.reason, stash: 'none', object: describeObject(input) });
    }
  }
  if (failures.length) {
    const more = failures.length > NAMED_FAILURES ? `; and ${failures.length - NAMED_FAILURES} more of ${objects.length} objects failed` : '';
    return failWith(`conversion failed: ${failures.slice(0, NAMED_FAILURES).join('; ')}${more}`, outcomes);
  }
  return { response: { reviewVersion, uid, result: { status: 'Success' }, convertedObjects: converted }, objects: outcomes };
}
