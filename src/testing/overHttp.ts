import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseJson, stringifyJson } from '../json/index.js';
import type { Registry } from '../kinds/registry.js';
import { silentLogger } from '../log.js';
import { startService } from '../server/service.js';

/**
 * A real webhook on a loopback port and a client that talks to it as the apiserver does
 * (v1 reviews, objects already in the desired version left out), for property tests.
 */
export async function roundTripOverHttp(registry: Registry) {
  const dir = await mkdtemp(join(tmpdir(), 'crdconv-roundtrip-'));
  const service = await startService({
    registry,
    logger: silentLogger(),
    port: 0,
    host: '127.0.0.1',
    certificates: { kind: 'dev', dir },
  });
  const ca = await readFile(join(dir, 'ca.crt'), 'utf8');
  const agent = new https.Agent({ keepAlive: true, ca, servername: 'localhost' });

  const convert = (objects: Record<string, unknown>[], desiredAPIVersion: string): Promise<Record<string, unknown>[]> =>
    new Promise((resolve, reject) => {
      const uid = randomUUID();
      const body = stringifyJson({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        request: { uid, desiredAPIVersion, objects: objects.filter((o) => o.apiVersion !== desiredAPIVersion) },
      });
      const req = https.request(
        {
          host: '127.0.0.1',
          port: service.port,
          method: 'POST',
          path: '/convert?timeout=30s',
          agent,
          headers: { 'Content-Type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              const review = parseJson(Buffer.concat(chunks).toString('utf8')) as {
                response?: {
                  uid?: string;
                  result?: { status?: string; message?: string };
                  convertedObjects?: Record<string, unknown>[];
                };
              };
              if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
              if (review.response?.uid !== uid) throw new Error('response uid differs from request uid');
              if (review.response.result?.status !== 'Success')
                throw new Error(`Failure: ${review.response.result?.message}`);
              resolve(review.response.convertedObjects ?? []);
            } catch (e) {
              reject(e);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  return {
    convert,
    close: async () => {
      agent.destroy();
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
