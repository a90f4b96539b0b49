import express from 'express';
import type { Registry } from 'prom-client';

/** GET /metrics in the Prometheus text format; nothing else. */
export function createMetricsApp(registry: Registry): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', (_req, res, next) => {
    registry
      .metrics()
      .then((text) => {
        res.set('Content-Type', registry.contentType).send(text);
      })
      .catch(next);
  });
  app.use((req, res) => {
    res.status(404).type('text/plain').send(`no such path ${req.path}; metrics are GET /metrics\n`);
  });
  return app;
}
