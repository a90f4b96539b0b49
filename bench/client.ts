/**
 * A minimal HTTP/1.1 keep-alive client over TLS, for load generation. The client shares the
 * machine with the server it measures, so it does as little as possible per request: the request
 * head and body are prepared once, the response is cut by its Content-Length, and nothing is
 * parsed beyond the status line and that header. Both servers answer with a Content-Length.
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

  close(): void {
    this.failure ??= new Error('closed');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) {
      this.fail(new Error('the server sent bytes nobody asked for'));
      return;
    }
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.expected < 0 && !this.readHead()) return;
    if (this.received < this.expected) return;
    const ms = performance.now() - this.pending.started;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.received);
    if (this.received > this.expected) {
      this.fail(new Error('the server sent more than its Content-Length'));
      return;
    }
    const { resolve } = this.pending;
    const answer: Answer = { status: this.status, body: all.subarray(this.headLength), ms };
    this.pending = undefined;
    this.chunks = [];
    this.received = 0;
    this.expected = -1;
    resolve(answer);
  }

  /** Reads status and Content-Length once the head is complete; false while it is not. */
  private readHead(): boolean {
    const buffered = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.received);
    this.chunks = [buffered];
    const end = buffered.indexOf(HEADER_END);
    if (end < 0) return false;
    const head = buffered.toString('latin1', 0, end);
    const length = CONTENT_LENGTH.exec(head);
    if (!length) {
      this.fail(new Error(`the answer has no Content-Length: ${head.split('\r\n')[0]}`));
      return false;
    }
    this.status = Number(head.slice(9, 12));
    this.headLength = end + HEADER_END.length;
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
