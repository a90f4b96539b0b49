import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { BodyTooLarge, readBody } from '../../../src/server/http/readBody.js';

/** A request body arriving in the given chunks, with an optional declared Content-Length. */
function request(chunks: readonly Buffer[], contentLength?: number): IncomingMessage {
  const stream = new Readable({ read() {} }) as Readable & { headers: Record<string, string> };
  stream.headers = contentLength === undefined ? {} : { 'content-length': String(contentLength) };
  setImmediate(() => {
    for (const chunk of chunks) stream.push(chunk);
    stream.push(null);
  });
  return stream as unknown as IncomingMessage;
}

/** readBody's callback as a promise, failing the test if it is called twice. */
function read(req: IncomingMessage, limit: number): Promise<{ error?: Error; text: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    let calls = 0;
    readBody(req, limit, (error, body, bytes) => {
      calls++;
      if (calls > 1) reject(new Error('done called twice'));
      else setImmediate(() => resolve({ ...(error && { error }), text: body.toString('utf8'), bytes }));
    });
  });
}

describe('readBody', () => {
  it('joins the chunks and counts bytes, not characters (a character split across chunks included)', async () => {
    const whole = Buffer.from('{"name":"grüße-✓"}', 'utf8');
    const { error, text, bytes } = await read(request([whole.subarray(0, 12), whole.subarray(12)]), 1024);
    expect(error).to.equal(undefined);
    expect(text).to.equal('{"name":"grüße-✓"}');
    expect(bytes).to.equal(whole.length).and.to.be.greaterThan(text.length);
  });

  it('reads a body of exactly the limit, declared or streamed, into one buffer of the declared size', async () => {
    const whole = Buffer.from('{"name":"grüße-✓"}', 'utf8');
    for (const declared of [whole.length, undefined]) {
      const { error, text, bytes } = await read(
        request([whole.subarray(0, 5), whole.subarray(5, 13), whole.subarray(13)], declared),
        whole.length,
      );
      expect(error, String(declared)).to.equal(undefined);
      expect(text).to.equal('{"name":"grüße-✓"}');
      expect(bytes).to.equal(whole.length);
    }
    const over = await read(request([whole, Buffer.from(' ')], whole.length + 1), whole.length);
    expect(over.error).to.be.instanceOf(BodyTooLarge);
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const { error, bytes } = await read(request([Buffer.alloc(10)], 5000), 100);
    expect(error).to.be.instanceOf(BodyTooLarge);
    expect(bytes).to.equal(0);
  });

  it('refuses a body that grows past the limit while streaming, once', async () => {
    const { error } = await read(request([Buffer.alloc(60), Buffer.alloc(60), Buffer.alloc(60)]), 100);
    expect(error).to.be.instanceOf(BodyTooLarge);
    expect(error!.message).to.contain('100 bytes');
  });

  it('reports a stream error once, and nothing after it', async () => {
    const stream = new Readable({ read() {} }) as Readable & { headers: Record<string, string> };
    stream.headers = {};
    const result = read(stream as unknown as IncomingMessage, 100);
    stream.push(Buffer.from('{"par'));
    setImmediate(() => stream.destroy(new Error('socket hang up')));
    const { error } = await result;
    expect(error?.message).to.equal('socket hang up');
  });
});
