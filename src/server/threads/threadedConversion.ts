/**
 * One big review's objects on the conversion threads: cut into consecutive ranges of about the
 * same size as they are found (possibly while the body is still arriving), handed out a few at a
 * time, each copied out of the body when it goes, and collected in order.
 */
import type { ConversionPool } from './conversionPool.js';
import type { RangeAnswer } from './protocol.js';

/** Reviews of fewer objects are converted in process: a hop to a thread costs more. */
export const THREAD_MIN_OBJECTS = 64;
/** Bytes of objects per range handed to a thread: enough ranges to share out, none too big. */
const MIN_RANGE_BYTES = 64 * 1024;
const MAX_RANGE_BYTES = 1024 * 1024;
/** Ranges per thread, at least (about): threads that finish early take more. */
const RANGES_PER_THREAD = 4;
/** Ranges of one review handed to the pool at a time, per thread: one running, one waiting. */
const RANGES_IN_FLIGHT_PER_THREAD = 2;

/** The size of the ranges of a body of `bodyBytes` shared by `threads` threads. */
export const rangeBytes = (bodyBytes: number, threads: number): number =>
  Math.min(MAX_RANGE_BYTES, Math.max(MIN_RANGE_BYTES, Math.ceil(bodyBytes / (threads * RANGES_PER_THREAD))));

/**
 * Cut the objects (their byte spans, flat) into consecutive ranges of about `bytes` each, at least
 * one object per range: [start0, end0, start1, end1, ...] in object indexes, covering them all.
 */
export function cutRanges(spans: readonly number[], bytes: number): number[] {
  const cutter = new RangeCutter(bytes);
  const ranges: number[] = [];
  cutter.cut(spans, true, (start, end) => ranges.push(start, end));
  return ranges;
}

/** Cuts ranges off a growing list of spans: each range once, in order. */
class RangeCutter {
  /** The first object not in a range yet. */
  next = 0;
  constructor(private readonly bytes: number) {}

  /** Emit the ranges the spans found so far complete; with `final`, the rest too. */
  cut(spans: readonly number[], final: boolean, emit: (start: number, end: number) => void): void {
    const n = spans.length / 2;
    for (let i = this.next; i < n; i++) {
      if (spans[2 * i + 1]! - spans[2 * this.next]! >= this.bytes || (final && i === n - 1)) {
        emit(this.next, i + 1);
        this.next = i + 1;
      }
    }
  }
}

/** What the threads gave back, in the order of the ranges, once every range is answered. */
export type ThreadedDone = (answers: readonly RangeAnswer[], total: number) => void;

export class ThreadedConversion {
  private readonly cutter: RangeCutter;
  /** Ranges cut, [start, end) flat, and the answer to each when it is in. */
  private readonly ranges: number[] = [];
  private readonly answers: RangeAnswer[] = [];
  private sent = 0;
  private answered = 0;
  private total = -1;
  private abandoned = false;
  /** The spans of the objects found so far (the scanner's own list, which only grows). */
  private spans: readonly number[] = [];

  constructor(
    private readonly pool: ConversionPool,
    private readonly body: Buffer,
    /** The review's desiredAPIVersion: the one every range is converted to. */
    readonly desiredAPIVersion: string,
    private readonly done: ThreadedDone,
  ) {
    this.cutter = new RangeCutter(rangeBytes(body.length, pool.size));
  }

  /**
   * The objects found so far (a prefix of the final spans); `final` once they are all found. Ranges
   * are cut and sent as they complete.
   */
  offer(spans: readonly number[], final: boolean): void {
    if (this.abandoned) return;
    this.spans = spans;
    this.cutter.cut(spans, final, (start, end) => this.ranges.push(start, end));
    if (final) this.total = spans.length / 2;
    this.pump();
    this.finishIfDone();
  }

  /** Stop: answers still to come are dropped, `done` is never called. */
  abandon(): void {
    this.abandoned = true;
  }

  private pump(): void {
    const limit = RANGES_IN_FLIGHT_PER_THREAD * Math.max(1, this.pool.size);
    while (this.sent < this.ranges.length / 2 && this.sent - this.answered < limit) this.send(this.sent++);
  }

  private send(k: number): void {
    const spans = this.spans;
    const start = this.ranges[2 * k]!;
    const end = this.ranges[2 * k + 1]!;
    const from = spans[2 * start]!;
    const to = spans[2 * end - 1]!;
    // The range's own copy, handed over to the thread without another copy.
    const bytes = new Uint8Array(to - from);
    bytes.set(this.body.subarray(from, to));
    const offsets = new Int32Array(2 * (end - start));
    for (let i = 0; i < offsets.length; i++) offsets[i] = spans[2 * start + i]! - from;
    // Before all objects are found their count is not known; the objects found so far are a lower
    // bound, and failure messages only depend on whether there is more than one.
    const total = this.total >= 0 ? this.total : spans.length / 2;
    const { desiredAPIVersion } = this;
    void this.pool.run({ desiredAPIVersion, total, start, end, bytes, spans: offsets }).then((answer) => {
      if (this.abandoned) return;
      this.answers[k] = answer;
      this.answered++;
      this.pump();
      this.finishIfDone();
    });
  }

  private finishIfDone(): void {
    if (this.abandoned || this.total < 0 || this.answered < this.ranges.length / 2) return;
    this.abandoned = true; // once
    this.done(this.answers, this.total);
  }
}
