import express from 'express';

/** One condition for readiness: resolves undefined when it holds, or why it does not. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<string | undefined>;
}

export interface ProbesOptions {
  readonly checks: readonly ReadinessCheck[];
  /** True from the first moment of a shutdown: readiness fails at once, whatever the checks say. */
  readonly shuttingDown: () => boolean;
}

/**
 * Kubelet probes, on their own plain-HTTP port so they never compete with the webhook's TLS
 * listener and keep answering (503) while it drains:
 * - GET /healthz: 200 while the process runs and serves HTTP at all (liveness).
 * - GET /readyz: 200 when every check holds, 503 naming the failing ones, 503 while shutting down.
 */
export function createProbesApp({ checks, shuttingDown }: ProbesOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res, next) => {
    if (shuttingDown()) {
      res.status(503).json({ status: 'shutting down', checks: {} });
      return;
    }
    Promise.all(checks.map(async (c) => [c.name, (await c.check().catch((e: Error) => e.message)) ?? 'ok'] as const))
      .then((results) => {
        // A shutdown may have begun while the checks ran.
        const ready = !shuttingDown() && results.every(([, r]) => r === 'ok');
        res.status(ready ? 200 : 503).json({
          status: ready ? 'ready' : shuttingDown() ? 'shutting down' : 'not ready',
          checks: Object.fromEntries(results),
        });
      })
      .catch(next);
  });
  app.use((req, res) => {
    res.status(404).type('text/plain').send(`no such path ${req.path}; probes are GET /healthz and GET /readyz\n`);
  });
  return app;
}

/**
 * Share one answer for `ttlMs`: kubelets, and several of them during a rollout, probe often, and
 * each readiness check dials the webhook. Concurrent callers wait for the same attempt.
 */
export function cachedCheck(check: ReadinessCheck, ttlMs: number, now: () => number = Date.now): ReadinessCheck {
  let last: { at: number; answer: Promise<string | undefined> } | undefined;
  return {
    name: check.name,
    check: () => {
      if (!last || now() - last.at >= ttlMs) last = { at: now(), answer: check.check().catch((e: Error) => e.message) };
      return last.answer;
    },
  };
}
