import {
  convertObject,
  formatIdentity,
  objectIdentity,
  type ObjectIdentity,
  type StashOutcome,
} from '../convert/convertObject.js';
import type { ConversionFailure, FailureReason } from '../convert/errors.js';
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
  /** metadata.uid and metadata.resourceVersion of an object that failed, when it has them. */
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface ReviewOutcome {
  readonly response: ConversionResponse;
  readonly objects: readonly ObjectOutcome[];
  /** Why the review failed, when it did. */
  readonly failure?: string;
}

/** One object's outcome; its name is formatted only when asked for (debug logs, stash problems). */
class Outcome implements ObjectOutcome {
  constructor(
    readonly kind: string,
    readonly from: string,
    readonly to: string,
    readonly ok: boolean,
    readonly stash: StashOutcome,
    private readonly identity: ObjectIdentity,
    readonly reason?: FailureReason,
    readonly stashProblem?: string,
    readonly uid?: string,
    readonly resourceVersion?: string,
  ) {}

  get object(): string {
    return formatIdentity(this.identity);
  }
}

/**
 * Serialize one converted object (so that only objects holding big integers take the exact
 * path), or undefined when it is nested too deeply for the serializer.
 */
function serialize(object: unknown): string | undefined {
  try {
    return stringifyJson(object);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return undefined;
  }
}

/** How many failing objects one Failure message names before it summarises the rest. */
const NAMED_FAILURES = 3;

/**
 * Answer one ConversionReview. The apiserver needs every object converted, in order, or the
 * whole request fails: one object that cannot convert makes the answer a Failure (HTTP 200)
 * whose message names the objects and why, which the apiserver shows to the user verbatim.
 * The request's objects list is consumed: each entry is cleared once its object is converted.
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
    const input: unknown = objects[i];
    // The request lets go of each object once it is converted: a review of a whole LIST would
    // otherwise keep every parsed object alive until the last one is done.
    objects[i] = undefined;
    const result = convertObject(registry, input, desiredAPIVersion);
    const identity = objectIdentity(input);
    const kind = typeof identity.kind === 'string' ? identity.kind : '';
    const json = result.ok ? serialize(result.object) : undefined;
    if (result.ok && json !== undefined) {
      converted.push(json);
      outcomes.push(new Outcome(kind, result.from, to, true, result.stash, identity, undefined, result.stashProblem));
      continue;
    }
    const failure: ConversionFailure = result.ok
      ? {
          reason: 'TooDeep',
          message: `${formatIdentity(identity)}: the converted object is nested too deeply to serialize`,
        }
      : result.failure;
    failures.push(objects.length > 1 ? `object ${i}: ${failure.message}` : failure.message);
    const meta = ownValue(input, 'metadata');
    outcomes.push(
      new Outcome(
        kind,
        result.from ?? '',
        to,
        false,
        'none',
        identity,
        failure.reason,
        undefined,
        ownString(meta, 'uid'),
        ownString(meta, 'resourceVersion'),
      ),
    );
  }
  if (failures.length) {
    const more =
      failures.length > NAMED_FAILURES
        ? `; and ${failures.length - NAMED_FAILURES} more of ${objects.length} objects failed`
        : '';
    return failWith(`conversion failed: ${failures.slice(0, NAMED_FAILURES).join('; ')}${more}`, outcomes);
  }
  return {
    response: { reviewVersion, uid, result: { status: 'Success' }, convertedObjects: converted },
    objects: outcomes,
  };
}

/** An own property of a JSON object (undefined for anything else). */
function ownValue(object: unknown, key: string): unknown {
  if (typeof object !== 'object' || object === null || Array.isArray(object) || !Object.hasOwn(object, key))
    return undefined;
  return (object as Record<string, unknown>)[key];
}

/** An own property that is a non-empty string. */
function ownString(object: unknown, key: string): string | undefined {
  const value = ownValue(object, key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
