import { createHash } from 'node:crypto';

/** How long a failed object is remembered after its last failure: the rejection-loop window. */
export const FAILURE_WINDOW_MS = 10 * 60 * 1000;
/** At most this many objects are remembered; the one that failed longest ago is forgotten first. */
export const MAX_TRACKED_OBJECTS = 10_000;
/** Failures of one object within the window that make it a rejection loop. */
export const LOOP_FAILURES = 3;

/** One remembered object: its kind label and the times of its last LOOP_FAILURES failures. */
interface Tracked {
  kind: string;
  /** Times of the latest failures, oldest first, at most LOOP_FAILURES of them. */
  readonly times: number[];
}

/**
 * Tells a rejection loop (the same object failing again and again: a controller or an informer
 * retrying one stored object) from many distinct failures. An object is its uid and
 * resourceVersion: the same stored revision (the uid alone when the apiserver sends no
 * resourceVersion, as it does for objects read from storage). Memory is bounded: at most MAX_TRACKED_OBJECTS
 * entries of a short key (uids and resourceVersions longer than a real one are hashed), kept in
 * least-recently-failed order (a Map's insertion order, re-inserted on each failure) and expired
 * FAILURE_WINDOW_MS after their last failure.
 */
export class RepeatedFailures {
  private readonly objects = new Map<string, Tracked>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = FAILURE_WINDOW_MS,
    private readonly capacity = MAX_TRACKED_OBJECTS,
  ) {}

  /**
   * Note a failure of the object (uid, resourceVersion) of `kind` (a label value). True when the
   * same object already failed within the window: a repeated failure.
   */
  failed(kind: string, uid: string, resourceVersion: string): boolean {
    const now = this.now();
    this.expire(now);
    const key = objectKey(uid, resourceVersion);
    const known = this.objects.get(key);
    if (known !== undefined) {
      this.objects.delete(key); // re-inserted last: the most recent failure
      known.kind = kind;
      known.times.push(now);
      if (known.times.length > LOOP_FAILURES) known.times.shift();
      this.objects.set(key, known);
      return true;
    }
    if (this.objects.size >= this.capacity) this.objects.delete(this.objects.keys().next().value!);
    this.objects.set(key, { kind, times: [now] });
    return false;
  }

  /** Objects that failed at least LOOP_FAILURES times within the window, by kind label. */
  loopingByKind(): Map<string, number> {
    const now = this.now();
    this.expire(now);
    const counts = new Map<string, number>();
    for (const { kind, times } of this.objects.values()) {
      if (times.length >= LOOP_FAILURES && now - times[0]! <= this.windowMs)
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    return counts;
  }

  /** How many objects are remembered now. */
  get size(): number {
    return this.objects.size;
  }

  /** Forget the objects whose last failure is older than the window (they come first). */
  private expire(now: number): void {
    for (const [key, { times }] of this.objects) {
      if (now - times[times.length - 1]! <= this.windowMs) return;
      this.objects.delete(key);
    }
  }
}

/** Longer than any real uid (36) or resourceVersion (a number): hashed, so that a key stays small. */
const LONGEST_KEPT = 64;

function objectKey(uid: string, resourceVersion: string): string {
  // The uid's length first: no two (uid, resourceVersion) pairs make the same key.
  if (uid.length <= LONGEST_KEPT && resourceVersion.length <= LONGEST_KEPT)
    return `${uid.length}:${uid}${resourceVersion}`;
  return `#${createHash('sha256').update(`${uid.length}:`).update(uid).update(resourceVersion).digest('base64')}`;
}
