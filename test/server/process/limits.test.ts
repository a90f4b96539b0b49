import { expect } from 'chai';
import net from 'node:net';
import tls from 'node:tls';
import { parseMetrics, valueOf } from '../metrics/promText.js';
import {
  backendReview,
  eventually,
  httpGet,
  httpsRequest,
  startTestService,
  type TestService,
} from '../../support/service.js';

/** Open a socket, let `start` write whatever it writes, and time how long until the server hangs up. */
function timeUntilCut(
  connect: () => net.Socket,
  start: (s: net.Socket) => void,
  limitMs: number,
): Promise<{ ms: number; received: string }> {
  return new Promise((resolve, reject) => {
    const began = Date.now();
    const socket = connect();
    let received = '';
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a stalled client for more than ${limitMs} ms`));
    }, limitMs);
    socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(guard);
      resolve({ ms: Date.now() - began, received });
    });
    start(socket);
  });
}

describe('service: limits', () => {
  let t: TestService;
  const timeouts = { handshakeMs: 400, headersMs: 400, requestMs: 800, idleMs: 600, checkIntervalMs: 100 };
  before(async () => {
    t = await startTestService({ maxRequestBytes: 64 * 1024, timeouts });
  });
  after(() => t.stop());

  const stillAnswers = async () => {
    const r = backendReview();
    const answer = await httpsRequest(t.service.port, t.ca, { body: r.text });
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.text).response.uid).to.equal(r.uid);
  };

  it('answers 405 with Allow: POST for other methods on /convert', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const answer = await httpsRequest(t.service.port, t.ca, {
        method,
        body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      });
      expect(answer.status, method).to.equal(405);
      expect(answer.headers.allow).to.equal('POST');
      expect(JSON.parse(answer.text).error).to.match(/not allowed/);
    }
  });

  it('answers 404 for other paths', async () => {
    for (const path of ['/', '/convert/extra', '/mutate', '/healthz']) {
      const answer = await httpsRequest(t.service.port, t.ca, { path, body: '{}' });
      expect(answer.status, path).to.equal(404);
      expect(JSON.parse(answer.text).error).to.match(/POST \/convert/);
    }
  });

  it('answers 413 for a body over --max-request-bytes, declared or streamed, and closes that connection', async () => {
    const big = `{"pad":"${'x'.repeat(70 * 1024)}"}`;
    const declared = await httpsRequest(t.service.port, t.ca, { body: big });
    expect(declared.status).to.equal(413);
    expect(declared.headers.connection).to.equal('close');
    const streamed = await httpsRequest(t.service.port, t.ca, {
      body: Buffer.from(big),
      headers: { 'Transfer-Encoding': 'chunked' },
    });
    expect(streamed.status).to.equal(413);
    await stillAnswers();
  });

  it('answers 400 to a body of 1,000,000 [ and keeps answering', async function () {
    this.timeout(60_000);
    const other = await startTestService({ timeouts });
    try {
      const answer = await httpsRequest(other.service.port, other.ca, { body: '['.repeat(1_000_000) });
      expect(answer.status).to.equal(400);
      expect(JSON.parse(answer.text).error).to.match(/JSON/);
      const balanced = await httpsRequest(other.service.port, other.ca, {
        body: '['.repeat(1_000_000) + ']'.repeat(1_000_000),
      });
      expect(balanced.status).to.be.oneOf([400, 200]);
      const deepObject = `{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":"u","desiredAPIVersion":"stable.example.com/v2","objects":[{"apiVersion":"stable.example.com/v1","kind":"Backend","metadata":{"name":"n"},"hostPort":"a:1","extra":${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}}]}}`;
      // An object nested 200,000 deep inside a valid review: a Failure naming the object, and the
      // process keeps answering.
      const deep = await httpsRequest(other.service.port, other.ca, { body: deepObject });
      expect(deep.status).to.equal(200);
      expect(JSON.parse(deep.text).response.result.message).to.contain('Backend n').and.contain('nested too deeply');
      const r = backendReview();
      expect((await httpsRequest(other.service.port, other.ca, { body: r.text })).status).to.equal(200);
    } finally {
      await other.stop();
    }
  });

  it('cuts a client that never finishes the TLS handshake', async () => {
    const { ms } = await timeUntilCut(
      () => net.connect(t.service.port, '127.0.0.1'),
      (s) => s.write('\x16\x03\x01'),
      5_000,
    );
    expect(ms).to.be.at.least(timeouts.handshakeMs - 50);
  });

  it('cuts a client that stalls in the headers', async () => {
    const { ms, received } = await timeUntilCut(
      () => tls.connect({ host: '127.0.0.1', port: t.service.port, servername: 'localhost', ca: t.ca }),
      (s) => s.once('secureConnect', () => s.write('POST /convert HTTP/1.1\r\nHost: localhost\r\nContent-Type: app')),
      5_000,
    );
    expect(ms).to.be.at.least(timeouts.headersMs - 50);
    if (received) expect(received).to.match(/^HTTP\/1\.1 408/);
  });

  it('cuts a client that stalls in the body, and the review is counted as finished', async () => {
    const { ms } = await timeUntilCut(
      () => tls.connect({ host: '127.0.0.1', port: t.service.port, servername: 'localhost', ca: t.ca }),
      (s) =>
        s.once('secureConnect', () =>
          s.write(
            'POST /convert HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":',
          ),
        ),
      5_000,
    );
    expect(ms).to.be.at.least(Math.min(timeouts.idleMs, timeouts.requestMs) - 50);
    const s = parseMetrics((await httpGet(t.service.metricsPort!, '/metrics')).text);
    expect(valueOf(s, 'crdconv_reviews_in_flight')).to.equal(0);
    await stillAnswers();
  });

  it('keeps an idle keep-alive connection open between reviews', async () => {
    const https = await import('node:https');
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await httpsRequest(t.service.port, t.ca, { body: backendReview().text, agent });
      await new Promise((r) => setTimeout(r, timeouts.idleMs + 200));
      const second = await httpsRequest(t.service.port, t.ca, { body: backendReview().text, agent });
      expect([first.status, second.status]).to.deep.equal([200, 200]);
      expect(first.headers.connection).to.equal('keep-alive');
    } finally {
      agent.destroy();
    }
  });

  /** A raw TLS exchange: write the head, maybe a body later, collect what comes back until close. */
  function rawExchange(head: string) {
    const socket = tls.connect({ host: '127.0.0.1', port: t.service.port, servername: 'localhost', ca: t.ca });
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.once('secureConnect', () => socket.write(head));
    return { socket, received: () => received, closed };
  }

  const head = (length: number, extra = '') =>
    `POST /convert HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

  it('accepts a body of exactly --max-request-bytes, declared, and refuses one byte more', async () => {
    const limit = 64 * 1024;
    const r = backendReview();
    const exact = r.text + ' '.repeat(limit - Buffer.byteLength(r.text));
    expect(Buffer.byteLength(exact)).to.equal(limit);
    const atLimit = await httpsRequest(t.service.port, t.ca, { body: exact });
    expect(atLimit.status).to.equal(200);
    expect(JSON.parse(atLimit.text).response.uid).to.equal(r.uid);
    const over = await httpsRequest(t.service.port, t.ca, { body: `${exact} ` });
    expect(over.status).to.equal(413);
  });

  it('answers Expect: 100-continue with a declared 100 MiB body by 413, without 100 Continue', async () => {
    const x = rawExchange(head(100 * 1024 * 1024, 'Expect: 100-continue\r\n'));
    await x.closed;
    expect(x.received()).to.match(/^HTTP\/1\.1 413 /);
    expect(x.received()).not.to.contain('100 Continue');
  });

  it('answers Expect: 100-continue with 100 Continue when the body fits, then converts it', async () => {
    const r = backendReview();
    const x = rawExchange(head(Buffer.byteLength(r.text), 'Expect: 100-continue\r\nConnection: close\r\n'));
    await eventually(() => x.received().includes('\r\n\r\n'), 5_000, '100 Continue');
    expect(x.received()).to.match(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    x.socket.write(r.text);
    await x.closed;
    expect(x.received()).to.match(/HTTP\/1\.1 200 OK/);
    expect(x.received()).to.contain(r.uid);
  });

  it('counts a client that goes away in the middle of its body as ClientAborted (logged 499), not as an Error', async () => {
    const before = parseMetrics((await httpGet(t.service.metricsPort!, '/metrics')).text);
    const aborted = (s: typeof before) =>
      valueOf(s, 'crdconv_conversion_reviews_total', { review_version: 'none', result: 'ClientAborted' }) ?? 0;
    const errors = (s: typeof before) =>
      valueOf(s, 'crdconv_conversion_reviews_total', { review_version: 'none', result: 'Error' }) ?? 0;
    const x = rawExchange(head(1000) + '{"apiVersion":');
    await new Promise((r) => setTimeout(r, 100));
    x.socket.destroy();
    await eventually(
      async () => aborted(parseMetrics((await httpGet(t.service.metricsPort!, '/metrics')).text)) > aborted(before),
      5_000,
      'the abort to be counted',
    );
    const after = parseMetrics((await httpGet(t.service.metricsPort!, '/metrics')).text);
    expect(errors(after), 'no server error').to.equal(errors(before));
    await t.logs.flushed();
    const line = t.logs.entries.filter((e) => e.msg === 'review' && e.result === 'ClientAborted').at(-1);
    expect(line).to.deep.include({ level: 'warn', status: 499, connectionClosed: true });
    expect(t.logs.entries.some((e) => e.msg === 'review' && e.status === 500)).to.equal(false);
  });

  it('refuses a review bigger than the memory budget with 413, saying so', async () => {
    const other = await startTestService({ maxInflightBytes: 2048, timeouts });
    try {
      const r = backendReview();
      const big = r.text + ' '.repeat(3000);
      const answer = await httpsRequest(other.service.port, other.ca, { body: big });
      expect(answer.status).to.equal(413);
      expect(JSON.parse(answer.text).error).to.match(/memory budget .*2048 bytes.*--max-inflight-bytes/);
      const small = await httpsRequest(other.service.port, other.ca, { body: r.text });
      expect(small.status).to.equal(200);
      expect(other.logs.entries.find((e) => e.msg === 'conversion webhook listening')!.memory).to.deep.include({
        maxInflightBytes: 2048,
      });
    } finally {
      await other.stop();
    }
  });
});
