import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the request body exceeds the limit of ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** The body and its size in bytes, or why it could not be read. */
export type BodyCallback = (error: Error | undefined, body: Buffer, bytes: number) => void;

const EMPTY = Buffer.alloc(0);

/** The declared Content-Length, when there is one (absent for a chunked body). */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const declared = Number(header);
  return Number.isFinite(declared) ? declared : undefined;
}

/**
 * Read a request body up to `limit` bytes and call `done` once. A declared Content-Length over
 * the limit is refused before reading; a body that grows past it while streaming is refused as
 * soon as it does. With a Content-Length the body is read straight into one buffer of that size
 * (no chunks held besides a copy of them all). A callback rather than a promise: this runs for
 * every review, and there is nothing for a promise to sequence.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  done: BodyCallback,
  /**
   * Told after each chunk of a body with a Content-Length is in: the buffer the body is read into
   * and how many of its bytes hold it so far (the rest is not the body yet).
   */
  progress?: (into: Buffer, received: number) => void,
): void {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) {
    done(new BodyTooLarge(limit), EMPTY, 0);
    return;
  }
  // node:http holds a body to its Content-Length: it never sends more than declared.
  const into = declared !== undefined && declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
  let chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (error: Error | undefined) => {
    if (settled) return;
    settled = true;
    if (error) {
      chunks = [];
      done(error, EMPTY, size);
      return;
    }
    let body: Buffer;
    if (into !== undefined) body = size === into.length ? into : into.subarray(0, size);
    else body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    chunks = [];
    done(undefined, body, size);
  };
  const onData = (chunk: Buffer) => {
    if (size + chunk.length > limit || (into !== undefined && size + chunk.length > into.length)) {
      size += chunk.length;
      req.off('data', onData);
      req.resume(); // drain what is in flight; the response closes the connection
      chunks = [];
      settle(new BodyTooLarge(limit));
      return;
    }
    if (into !== undefined) chunk.copy(into, size);
    else chunks.push(chunk);
    size += chunk.length;
    if (into !== undefined && progress !== undefined && size < into.length) progress(into, size);
  };
  req.on('data', onData);
  req.on('end', () => settle(undefined));
  req.on('error', settle);
  req.on('aborted', () => settle(new ClientAborted('the client closed the connection before sending the whole body')));
}

/** The client went away (or was cut for being too slow) before its request was read. */
export class ClientAborted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientAborted';
  }
}
