import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type https from 'node:https';
import { drainServer, trackServer } from '../../../src/server/http/shutdown.js';
import { createWebhookServer } from '../../../src/server/http/webhookServer.js';
import { createDevCertificates, type DevCertificates } from '../../../src/server/tls/devCert.js';
import { eventually } from '../../support/service.js';

// More than loopback's socket buffers on both sides can hold, so that the answer is still being
// written (ended, not flushed) for as long as the client does not read.
const BIG = 16 * 1024 * 1024;

/** A raw TLS client: it reads nothing until told, so the test decides when answers can flow. */
async function rawClient(port: number, ca: string) {
  const socket = tls.connect({ host: '127.0.0.1', servername: 'localhost', port, ca });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  socket.pause();
  return {
    send: (text: string) => socket.write(text),
    /** Start reading; resolves with every byte received once the server closes the connection. */
    readToEnd: () =>
      new Promise<{ bytes: Buffer; error?: string }>((resolve) => {
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.once('error', (e: NodeJS.ErrnoException) =>
          resolve({ bytes: Buffer.concat(chunks), error: e.code ?? e.message }),
        );
        socket.once('close', () => resolve({ bytes: Buffer.concat(chunks) }));
        socket.resume();
      }),
  };
}

const post = (id: string, body = '{}'): string =>
  `POST /convert HTTP/1.1\r\nHost: localhost\r\nX-Id: ${id}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

/** The bodies of the HTTP responses in `bytes`, in order (Content-Length framing only). */
function responseBodies(bytes: Buffer): string[] {
  const bodies: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const head = bytes.subarray(at, headEnd).toString('latin1');
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
    const start = headEnd + 4;
    if (start + length > bytes.length) break;
    bodies.push(bytes.subarray(start, start + length).toString('latin1'));
    at = start + length;
  }
  return bodies;
}

describe('draining a server', function () {
  this.timeout(30_000);
  let certs: DevCertificates;
  let server: https.Server | undefined;
  const taken: string[] = [];

  before(async () => {
    certs = await createDevCertificates(await mkdtemp(join(tmpdir(), 'crdconv-drain-')));
  });
  after(async () => {
    await rm(certs.dir, { recursive: true, force: true });
  });
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    taken.length = 0;
  });

  /** A server that answers request `big` with BIG bytes and any other with its id. */
  async function start() {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const id = String(req.headers['x-id']);
      req.resume();
      req.on('end', () => {
        taken.push(id);
        res.end(id === 'big' ? 'x'.repeat(BIG) : id);
      });
    };
    server = createWebhookServer({ tls: { cert: certs.cert, key: certs.key }, handler });
    const tracker = trackServer(server);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { tracker, port: (server.address() as AddressInfo).port };
  }

  it('lets an answer that was ended but is still being written reach its client', async () => {
    const { tracker, port } = await start();
    const client = await rawClient(port, certs.ca);
    client.send(post('big'));
    await eventually(() => taken.includes('big'), 5_000, 'the big answer ended');

    const drained = drainServer(server!, tracker, { graceMs: 10_000 });
    await new Promise((r) => setTimeout(r, 200)); // several sweeps while the answer waits for the client
    const received = await client.readToEnd();

    expect(received.error).to.equal(undefined);
    expect(responseBodies(received.bytes).map((b) => b.length)).to.deep.equal([BIG]);
    expect(await drained).to.include({ forced: false, cutRequests: 0 });
  });

  it('keeps a connection whose next request was taken in while the previous answer was still being written', async () => {
    const { tracker, port } = await start();
    const client = await rawClient(port, certs.ca);
    client.send(post('big') + post('next'));
    await eventually(() => taken.includes('next'), 5_000, 'both requests taken in');

    const drained = drainServer(server!, tracker, { graceMs: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    const received = await client.readToEnd();

    expect(received.error).to.equal(undefined);
    const bodies = responseBodies(received.bytes);
    expect(bodies.map((b) => b.length)).to.deep.equal([BIG, 'next'.length]);
    expect(bodies[1]).to.equal('next');
    expect(await drained).to.include({ forced: false, cutRequests: 0 });
  });

  it('closes a connection that holds nothing at once, and one that has half a request only at the deadline', async () => {
    const { tracker, port } = await start();
    const idle = await rawClient(port, certs.ca);
    idle.send(post('first'));
    const half = await rawClient(port, certs.ca);
    half.send('POST /convert HTTP/1.1\r\nHost: localhost\r\n');
    await eventually(() => taken.includes('first') && tracker.sockets() === 2, 5_000, 'two connections, one answered');
    const idleRead = idle.readToEnd();
    await new Promise((r) => setTimeout(r, 100)); // the first answer is read and its write reported done

    const drained = drainServer(server!, tracker, { graceMs: 1_000 });
    expect(responseBodies((await idleRead).bytes)).to.deep.equal(['first']);
    const result = await drained;
    expect(result.forced, 'the half request holds the connection until the deadline').to.equal(true);
    expect(result.durationMs).to.be.at.least(900);
    expect((await half.readToEnd()).bytes.length).to.equal(0);
  });
});
