/**
 * The floor: the least any Node conversion webhook must spend on a review. node:https with the
 * service's TLS material, the body read whole, JSON.parse, each object's apiVersion set to the
 * desired one, JSON.stringify of the answer. Nothing typed, nothing checked, not lossless
 * (integers beyond 2^53 lose digits): it is the yardstick `npm run bench` holds the service to.
 *
 * Usage: node dist/bench/floor.js --cert-dir DIR [--port 0] [--host 127.0.0.1]
 * Prints one JSON line `{"msg":"floor listening","port":N}` on stderr once it accepts
 * connections; SIGTERM or SIGINT stop it. Only node built-ins, so it compiles and runs alone.
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface FloorOptions {
  readonly certDir: string;
  readonly port: number;
  readonly host: string;
}

function parseArgs(argv: readonly string[]): FloorOptions {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const certDir = value('--cert-dir');
  if (!certDir) throw new Error('floor: --cert-dir DIR (holding tls.crt and tls.key) is required');
  return { certDir, port: Number(value('--port') ?? 0), host: value('--host') ?? '127.0.0.1' };
}

/** The whole answer: apiVersion set on each object, everything else passed through untouched. */
function floorAnswer(text: string): string {
  const review = JSON.parse(text);
  const request = review.request;
  const objects: Array<Record<string, unknown>> = request.objects;
  for (const object of objects) object.apiVersion = request.desiredAPIVersion;
  return JSON.stringify({
    apiVersion: review.apiVersion,
    kind: 'ConversionReview',
    response: { uid: request.uid, result: { status: 'Success' }, convertedObjects: objects },
  });
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: string;
    let status = 200;
    try {
      body = floorAnswer(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      status = 400;
      body = JSON.stringify({ error: (e as Error).message });
    }
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  // The same TLS setup as the service: its certificate files, TLS 1.2 at least, keep-alive.
  const server = https.createServer(
    {
      cert: readFileSync(join(options.certDir, 'tls.crt')),
      key: readFileSync(join(options.certDir, 'tls.key')),
      minVersion: 'TLSv1.2',
      keepAliveTimeout: 120_000,
    },
    handle,
  );
  server.listen(options.port, options.host, () => {
    const { port } = server.address() as AddressInfo;
    process.stderr.write(`${JSON.stringify({ msg: 'floor listening', port })}\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
