import http from 'node:http';
import type { BindAddress } from './bindAddress.js';
import type { Handler } from './webhookServer.js';
import { listen } from './listen.js';

/** A plain-HTTP server next to the webhook: health probes, metrics. */
export interface SideServer {
  readonly host?: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Kubelet probes and Prometheus scrapes are short GETs from inside the cluster: tight timeouts,
 * and closing cuts whatever is open (a scrape or probe is simply retried).
 */
export async function startSideServer(handler: Handler, bind: BindAddress): Promise<SideServer> {
  const server = http.createServer(
    { headersTimeout: 5_000, requestTimeout: 10_000, keepAliveTimeout: 5_000 },
    (req, res) => {
      void handler(req, res);
    },
  );
  const address = await listen(server, bind.port, bind.host);
  return {
    ...(bind.host !== undefined && { host: bind.host }),
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
