/**
 * A minimal HTTP/1.1 keep-alive client over TLS, for load generation. The client shares the
 * machine with the server it measures, so it does as little as possible per request: the request
 * head and body are prepared once, the response is cut by its Content-Length, and nothing is
 * parsed beyond the status line and the framing headers. Most servers answer with a
 * Content-Length; Go's net/http streams a big answer with `Transfer-Encoding: chunked`
 * (controller-runtime writes its answer with a json.Encoder), which is decoded here too.
 */
import tls from 'node:tls';

export interface Target {
  readonly port: number;
  /** PEM of the CA that signed the servers' certificate: the client verifies, as the apiserver does. */
  readonly ca: string;
}

export interface Answer {
  readonly status: number;
  readonly body: Buffer;
  /** Milliseconds from the first byte written to the last byte of the answer received. */
  readonly ms: number;
}

/** A prepared request: head and body as they go on the wire. */
export interface Prepared {
  readonly head: Buffer;
  readonly body: Buffer;
}

/** A POST /convert as the apiserver sends it (it appends ?timeout=30s). */
export function prepareReview(body: Buffer, port: number): Prepared {
  const head =
    'POST /convert?timeout=30s HTTP/1.1\r\n' +
    `Host: localhost:${port}\r\n` +
    'User-Agent: kube-apiserver-admission\r\n' +
    'Accept: application/json, */*\r\n' +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${body.length}\r\n\r\n`;
  return { head: Buffer.from(head, 'latin1'), body };
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[ \t]*chunked/i;

/**
 * An incremental decoder of a chunked body: fed the bytes after the head as they come, it keeps
 * the data of each chunk and says when the last chunk (and the trailer's empty line) is in.
 */
export class ChunkedBody {
  private readonly parts: Buffer[] = [];
  private length = 0;
  /** Bytes of a line (a chunk size or a trailer line) not complete yet. */
  private line: Buffer = Buffer.alloc(0);
  /** Data bytes still to come in the current chunk, then its CRLF (2 more). */
  private remaining = 0;
  private state: 'size' | 'data' | 'crlf' | 'trailer' | 'done' = 'size';

  get done(): boolean {
    return this.state === 'done';
  }

  /** Takes the next bytes; throws on a malformed body; returns how many bytes were past its end. */
  push(chunk: Buffer): number {
    let at = 0;
    while (at < chunk.length && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, chunk.length - at);
        this.parts.push(chunk.subarray(at, at + take));
        this.length += take;
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) {
          this.state = 'crlf';
          this.remaining = 2;
        }
      } else if (this.state === 'crlf') {
        const take = Math.min(this.remaining, chunk.length - at);
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'size';
      } else {
        // A size or trailer line, which may be split between two packets (even between CR and LF).
        const end = chunk.indexOf(10, at);
        const piece = chunk.subarray(at, end < 0 ? chunk.length : end);
        const joined = this.line.length ? Buffer.concat([this.line, piece]) : piece;
        if (end < 0) {
          this.line = Buffer.from(joined);
          at = chunk.length;
          continue;
        }
        this.line = Buffer.alloc(0);
        at = end + 1;
        const text = joined.toString('latin1');
        this.takeLine(text.endsWith('\r') ? text.slice(0, -1) : text);
      }
    }
    return chunk.length - at;
  }

  private takeLine(text: string): void {
    if (this.state === 'trailer') {
      if (text === '') this.state = 'done';
      return;
    }
    const size = Number.parseInt(text.split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0)
      throw new Error(`malformed chunk size line: ${JSON.stringify(text.slice(0, 40))}`);
    if (size === 0) this.state = 'trailer';
    else {
      this.state = 'data';
      this.remaining = size;
    }
  }

  body(): Buffer {
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
  }
}

/** One keep-alive connection; one request at a time. */
export class Connection {
  private pending: { resolve: (a: Answer) => void; reject: (e: Error) => void; started: number } | undefined;
  private chunks: Buffer[] = [];
  private received = 0;
  /** Bytes the whole answer takes (head + body), once the head is in; -1 before. */
  private expected = -1;
  private headLength = 0;
  private status = 0;
  private failure: Error | undefined;
  /** The decoder of a chunked answer, once its head said so. */
  private chunked: ChunkedBody | undefined;

  private constructor(private readonly socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  static open(target: Target): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port: target.port, servername: 'localhost', ca: target.ca },
        () => {
          socket.off('error', reject);
          socket.setNoDelay(true);
          resolve(new Connection(socket));
        },
      );
      socket.once('error', reject);
    });
  }

  request(prepared: Prepared): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('one request at a time on a connection'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, started: performance.now() };
      this.socket.cork();
      this.socket.write(prepared.head);
      this.socket.write(prepared.body);
      this.socket.uncork();
    });
  }

  /** Whether the connection can no longer be used (closed by either side, or failed). */
  get closed(): boolean {
    return this.failure !== undefined;
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) {
      this.fail(new Error('the server sent bytes nobody asked for'));
      return;
    }
    if (this.chunked) {
      this.pushChunked(chunk);
      return;
    }
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.expected < 0) {
      if (!this.readHead()) return;
      if (this.chunked) {
        // The bytes after the head start the chunked body.
        const all = this.chunks[0]!;
        this.chunks = [];
        this.received = 0;
        this.pushChunked(all.subarray(this.headLength));
        return;
      }
    }
    if (this.received < this.expected) return;
    const ms = performance.now() - this.pending.started;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.received);
    if (this.received > this.expected) {
      this.fail(new Error('the server sent more than its Content-Length'));
      return;
    }
    this.finish({ status: this.status, body: all.subarray(this.headLength), ms });
  }

  private pushChunked(chunk: Buffer): void {
    const decoder = this.chunked!;
    let extra: number;
    try {
      extra = decoder.push(chunk);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    if (!decoder.done) return;
    if (extra > 0) {
      this.fail(new Error('the server sent bytes after the last chunk'));
      return;
    }
    this.finish({ status: this.status, body: decoder.body(), ms: performance.now() - this.pending!.started });
  }

  private finish(answer: Answer): void {
    const { resolve } = this.pending!;
    this.pending = undefined;
    this.chunks = [];
    this.received = 0;
    this.expected = -1;
    this.chunked = undefined;
    resolve(answer);
  }

  /** Reads status and Content-Length (or chunked framing) once the head is complete; false while it is not. */
  private readHead(): boolean {
    const buffered = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.received);
    this.chunks = [buffered];
    const end = buffered.indexOf(HEADER_END);
    if (end < 0) return false;
    const head = buffered.toString('latin1', 0, end);
    this.status = Number(head.slice(9, 12));
    this.headLength = end + HEADER_END.length;
    if (CHUNKED.test(head)) {
      this.chunked = new ChunkedBody();
      this.expected = Infinity;
      return true;
    }
    const length = CONTENT_LENGTH.exec(head);
    if (!length) {
      this.fail(new Error(`the answer has neither Content-Length nor chunked encoding: ${head.split('\r\n')[0]}`));
      return false;
    }
    this.expected = this.headLength + Number(length[1]);
    return true;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(e);
  }
}
