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
import { splitApiVersion } from '../kinds/apiVersion.js';

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

  /** Plain data, to cross a thread boundary (structured clone keeps no class or getter). */
  toData(): OutcomeData {
    const { kind, from, to, ok, stash, reason, stashProblem, uid, resourceVersion } = this;
    const { kind: k, name, namespace } = this.identity;
    // Only strings are ever shown (formatIdentity): anything else need not cross.
    const identity = {
      kind: stringOrUndefined(k),
      name: stringOrUndefined(name),
      namespace: stringOrUndefined(namespace),
    };
    return { kind, from, to, ok, stash, identity, reason, stashProblem, uid, resourceVersion };
  }

  static fromData(d: OutcomeData): Outcome {
    return new Outcome(
      d.kind,
      d.from,
      d.to,
      d.ok,
      d.stash,
      d.identity,
      d.reason,
      d.stashProblem,
      d.uid,
      d.resourceVersion,
    );
  }
}

const stringOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** An ObjectOutcome as plain data (see Outcome.toData). */
export interface OutcomeData {
  readonly kind: string;
  readonly from: string;
  readonly to: string;
  readonly ok: boolean;
  readonly stash: StashOutcome;
  readonly identity: ObjectIdentity;
  readonly reason: FailureReason | undefined;
  readonly stashProblem: string | undefined;
  readonly uid: string | undefined;
  readonly resourceVersion: string | undefined;
}

/**
 * What a ReviewConversion of a range of a review's objects produced, as plain data: the pieces
 * of the answer that ReviewParts puts together in order (see convertHandler: a big review's
 * ranges are converted on threads).
 */
export interface ReviewPart {
  /**
   * The converted objects serialized, UTF-8, joined by ',' (a buffer of its own, which a thread
   * hands over without a copy); empty once any object of the range failed.
   */
  readonly joined: Uint8Array;
  /** UTF-8 bytes of the converted objects, separators not counted. */
  readonly convertedBytes: number;
  readonly outcomes: readonly OutcomeData[];
  /** Each failing object's message, in order. */
  readonly failures: readonly string[];
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
  const conversion = new ReviewConversion(registry, request);
  conversion.step(Infinity);
  return conversion.outcome();
}

/**
 * The objects of a review, taken one at a time: parsed only when their turn comes (a big review's
 * objects, see splitReview). `take` may throw (an object that does not parse): the conversion
 * stops and the error goes to the caller.
 */
export interface ObjectSource {
  readonly length: number;
  take(index: number): unknown;
}

/** The request's own list as a source; each entry is cleared as it is taken. */
const listSource = (objects: unknown[]): ObjectSource => ({
  length: objects.length,
  take: (i) => {
    const input: unknown = objects[i];
    // The request lets go of each object once it is taken: a review of thousands of objects would
    // otherwise keep every parsed object alive until the last one is done.
    objects[i] = undefined;
    return input;
  },
});

/**
 * One review's conversion, resumable: `step(deadline)` converts objects until the clock
 * (performance.now()) reaches the deadline and says whether all are done, so that a review of
 * thousands of objects can be converted in slices with the event loop free in between.
 * handleReview is this run in one step.
 */
export class ReviewConversion {
  private readonly source: ObjectSource | undefined;
  private readonly desired: string;
  private readonly to: string;
  private next: number;
  private readonly end: number;
  private readonly converted: string[] = [];
  private readonly outcomes: ObjectOutcome[] = [];
  private readonly failures: string[] = [];
  private readonly refused: string | undefined;
  /** UTF-8 bytes of the converted objects so far. */
  convertedBytes = 0;

  constructor(
    private readonly registry: Registry,
    private readonly request: ConversionRequest,
    source?: ObjectSource,
    /** Only the objects [start, end) of the source: one part of a review converted in parts. */
    range?: { readonly start: number; readonly end: number },
  ) {
    const { desiredAPIVersion, objects } = request;
    this.desired = typeof desiredAPIVersion === 'string' ? desiredAPIVersion : '';
    this.to = splitApiVersion(this.desired).version;
    if (this.desired === '') this.refused = 'the ConversionReview request has no desiredAPIVersion';
    else if (source === undefined && !Array.isArray(objects))
      this.refused = 'the ConversionReview request has no objects list';
    this.source = this.refused !== undefined ? undefined : (source ?? listSource(objects as unknown[]));
    this.next = range?.start ?? 0;
    this.end = range?.end ?? this.length;
  }

  /** Why the review is answered with a Failure before any object is looked at, if it is. */
  get refusal(): string | undefined {
    return this.refused;
  }

  /** How many objects the review holds. */
  get length(): number {
    return this.source?.length ?? 0;
  }

  /** Convert objects until `deadline` (performance.now()); true once every object is done. */
  step(deadline: number): boolean {
    const source = this.source;
    if (source === undefined) return true;
    const end = this.end;
    while (this.next < end) {
      this.convertOne(source, this.next++);
      if (deadline !== Infinity && performance.now() >= deadline) break;
    }
    return this.next >= end;
  }

  private convertOne(source: ObjectSource, i: number): void {
    const input = source.take(i);
    const { registry, to } = this;
    const result = convertObject(registry, input, this.desired);
    const identity = objectIdentity(input);
    const kind = typeof identity.kind === 'string' ? identity.kind : '';
    const json = result.ok ? serialize(result.object) : undefined;
    if (result.ok && json !== undefined) {
      // After a failure the answer holds no objects: nothing more to keep.
      if (this.failures.length === 0) {
        this.converted.push(json);
        this.convertedBytes += Buffer.byteLength(json);
      }
      this.outcomes.push(
        new Outcome(kind, result.from, to, true, result.stash, identity, undefined, result.stashProblem),
      );
      return;
    }
    const failure: ConversionFailure = result.ok
      ? {
          reason: 'TooDeep',
          message: `${formatIdentity(identity)}: the converted object is nested too deeply to serialize`,
        }
      : result.failure;
    this.failures.push(source.length > 1 ? `object ${i}: ${failure.message}` : failure.message);
    this.converted.length = 0;
    const meta = ownValue(input, 'metadata');
    this.outcomes.push(
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

  /** The answer, once step() has said every object is done. */
  outcome(): ReviewOutcome {
    if (this.refused !== undefined) return failedReview(this.request, this.refused);
    return reviewOutcome(this.request, this.length, this.converted, this.outcomes, this.failures);
  }

  /** This range's part of the answer, as plain data, once step() has said it is done. */
  part(): ReviewPart {
    const objects = this.converted.join(',');
    const joined = new Uint8Array(Buffer.byteLength(objects));
    Buffer.from(joined.buffer).write(objects);
    return {
      joined,
      convertedBytes: this.convertedBytes,
      outcomes: this.outcomes.map((o) => (o as Outcome).toData()),
      failures: this.failures,
    };
  }
}

/**
 * The answer to a review converted in parts (ranges of its objects, in order, covering them all),
 * the same as one ReviewConversion of the whole would give, except that a Success's converted
 * objects stay in the parts (`joined`, written as they are) and its list is empty.
 */
export function joinParts(request: ConversionRequest, length: number, parts: readonly ReviewPart[]): ReviewOutcome {
  const outcomes: ObjectOutcome[] = [];
  const failures: string[] = [];
  for (const part of parts) {
    for (const o of part.outcomes) outcomes.push(Outcome.fromData(o));
    for (const f of part.failures) failures.push(f);
  }
  return reviewOutcome(request, length, [], outcomes, failures);
}

function failedReview(request: ConversionRequest, message: string, outcomes: ObjectOutcome[] = []): ReviewOutcome {
  const { reviewVersion, uid } = request;
  return {
    response: { reviewVersion, uid, result: { status: 'Failure', message }, convertedObjects: [] },
    objects: outcomes,
    failure: message,
  };
}

function reviewOutcome(
  request: ConversionRequest,
  length: number,
  converted: string[],
  outcomes: ObjectOutcome[],
  failures: readonly string[],
): ReviewOutcome {
  if (failures.length) {
    const more =
      failures.length > NAMED_FAILURES
        ? `; and ${failures.length - NAMED_FAILURES} more of ${length} objects failed`
        : '';
    return failedReview(request, `conversion failed: ${failures.slice(0, NAMED_FAILURES).join('; ')}${more}`, outcomes);
  }
  const { reviewVersion, uid } = request;
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
