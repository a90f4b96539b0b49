import { getHeapStatistics } from 'node:v8';

/**
 * Heap bytes per request-body byte of a review in flight, as measured (docs/operations.md): the
 * body (external memory) plus the converted objects as strings, UTF-16 in the worst case, plus one
 * object being parsed and converted, plus what the garbage collector has not taken back yet.
 */
export const HEAP_BYTES_PER_BODY_BYTE = 4;

/** The default budget: the heap limit over HEAP_BYTES_PER_BODY_BYTE. */
export const defaultMaxInflightBytes = (heapLimit = getHeapStatistics().heap_size_limit): number =>
  Math.floor(heapLimit / HEAP_BYTES_PER_BODY_BYTE);

export interface MemoryBudgetOptions {
  /** Request-body bytes of the reviews being read, converted or answered, at most. */
  readonly maxBytes: number;
  /**
   * Besides maxBytes, this much is kept for small reviews, so that one does not wait behind big
   * ones; default maxBytes / 8.
   */
  readonly reserveBytes?: number;
  /** A review up to this size is small (may use the reserve); default 1 MiB. */
  readonly smallBytes?: number;
  /** Reviews waiting for room, at most; one more is refused at once. */
  readonly maxWaiting: number;
  /** How long a review may wait for room before it is refused. */
  readonly maxWaitMs: number;
}

/** Room taken in the budget; give it back once the review's answer is out (idempotent). */
export interface Grant {
  release(): void;
  /** The review turned out to be this big (a body without Content-Length): keep only that much. */
  shrink(bytes: number): void;
}

export type Refusal = 'QueueFull' | 'WaitedTooLong';

export interface Ticket {
  /** Stop waiting (the client went away); nothing is called back afterwards. */
  cancel(): void;
}

interface Waiting {
  readonly bytes: number;
  readonly granted: (grant: Grant) => void;
  readonly refused: (why: Refusal) => void;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

/**
 * The bytes in flight, bounded: a review takes its body's size (declared, before a byte of it is
 * read) from the budget and gives it back once its answer is out. A review that does not fit
 * waits, in arrival order, without being read (TCP holds the rest back); the wait is bounded in
 * count and time, and a review refused is answered 429 with Retry-After, which the apiserver
 * retries. A review bigger than the whole budget can never be served: the caller answers 413.
 *
 * Small reviews (a single object, a watch event) have a reserve of their own, so that they never
 * wait behind a big one.
 */
export class MemoryBudget {
  readonly maxBytes: number;
  readonly reserveBytes: number;
  readonly smallBytes: number;
  private used = 0;
  private reserveUsed = 0;
  private readonly queue: Waiting[] = [];

  constructor(private readonly options: MemoryBudgetOptions) {
    this.maxBytes = options.maxBytes;
    this.reserveBytes = options.reserveBytes ?? Math.floor(options.maxBytes / 8);
    this.smallBytes = options.smallBytes ?? 1024 * 1024;
  }

  /** Bytes taken now (reserve included). */
  get inFlightBytes(): number {
    return this.used + this.reserveUsed;
  }

  /** Reviews waiting for room now. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Whether a review of this size can ever be served. */
  fits(bytes: number): boolean {
    return bytes <= this.maxBytes;
  }

  /**
   * Ask for `bytes` (at most maxBytes); `granted` is called, at once or later, or `refused`.
   * Exactly one of them is called, unless the ticket is cancelled first.
   */
  request(bytes: number, granted: (grant: Grant) => void, refused: (why: Refusal) => void): Ticket {
    const entry: Waiting = { bytes, granted, refused, timer: undefined, done: false };
    if (this.tryGrant(entry, this.queue.length === 0)) return { cancel: () => {} };
    if (this.queue.length >= this.options.maxWaiting) {
      entry.done = true;
      refused('QueueFull');
      return { cancel: () => {} };
    }
    this.queue.push(entry);
    entry.timer = setTimeout(() => {
      this.remove(entry);
      entry.done = true;
      entry.refused('WaitedTooLong');
    }, this.options.maxWaitMs);
    return {
      cancel: () => {
        if (entry.done) return;
        entry.done = true;
        clearTimeout(entry.timer);
        this.remove(entry);
        this.pump();
      },
    };
  }

  /** Take room for the entry from the reserve (small reviews) or, when `mayTakeMain`, the main budget. */
  private take(entry: Waiting, mayTakeMain: boolean): 'main' | 'reserve' | undefined {
    const { bytes } = entry;
    if (bytes <= this.smallBytes && this.reserveUsed + bytes <= this.reserveBytes) {
      this.reserveUsed += bytes;
      return 'reserve';
    }
    if (mayTakeMain && this.used + bytes <= this.maxBytes) {
      this.used += bytes;
      return 'main';
    }
    return undefined;
  }

  /** Take room and grant it at once, when there is room. */
  private tryGrant(entry: Waiting, mayTakeMain: boolean): boolean {
    const pool = this.take(entry, mayTakeMain);
    if (pool === undefined) return false;
    this.give(entry, pool);
    return true;
  }

  private give(entry: Waiting, pool: 'main' | 'reserve'): void {
    entry.done = true;
    clearTimeout(entry.timer);
    let held = entry.bytes;
    const take = (delta: number) => {
      if (pool === 'main') this.used += delta;
      else this.reserveUsed += delta;
    };
    entry.granted({
      release: () => {
        if (held === 0) return;
        take(-held);
        held = 0;
        this.pump();
      },
      shrink: (bytes) => {
        if (bytes >= held) return;
        take(bytes - held);
        held = bytes;
        this.pump();
      },
    });
  }

  /** Room was given back: serve the waiting reviews in order (small ones may also take the reserve). */
  private pump(): void {
    // Taken off the queue before being granted: a grant's callback may release or ask again.
    const granted: Array<[Waiting, 'main' | 'reserve']> = [];
    for (let pool; this.queue.length > 0 && (pool = this.take(this.queue[0]!, true));)
      granted.push([this.queue.shift()!, pool]);
    for (let i = 0; i < this.queue.length;) {
      const pool = this.take(this.queue[i]!, false);
      if (pool) granted.push([this.queue.splice(i, 1)[0]!, pool]);
      else i++;
    }
    for (const [entry, pool] of granted) this.give(entry, pool);
  }

  private remove(entry: Waiting): void {
    const i = this.queue.indexOf(entry);
    if (i >= 0) this.queue.splice(i, 1);
  }
}
