import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the request body exceeds the limit of ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** The body as text and its size in bytes, or why it could not be read. */
export type BodyCallback = (error: Error | undefined, text: string, bytes: number) => void;

/**
 * Read a request body up to `limit` bytes and call `done` once. A declared Content-Length over
 * the limit is refused before reading; a body that grows past it while streaming is refused as
 * soon as it does. A callback rather than a promise: this runs for every review, and the answer
 * is computed synchronously once the body is in, so there is nothing for a promise to sequence.
 */
export function readBody(req: IncomingMessage, limit: number, done: BodyCallback): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done(new BodyTooLarge(limit), '', 0);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (error: Error | undefined) => {
    if (settled) return;
    settled = true;
    if (error) {
      done(error, '', size);
      return;
    }
    const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
    done(undefined, text, size);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.off('data', onData);
      req.resume(); // drain what is in flight; the response closes the connection
      chunks.length = 0;
      settle(new BodyTooLarge(limit));
      return;
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.on('end', () => settle(undefined));
  req.on('error', settle);
  req.on('aborted', () => settle(new Error('the client aborted the request')));
}
