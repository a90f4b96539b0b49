import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

/** What a server is holding: requests being answered, and every socket (also mid-handshake). */
export interface ServerTracker {
  readonly requests: () => number;
  readonly sockets: () => number;
  /** Make every response from now on close its connection instead of keeping it alive. */
  startDraining(): void;
  /** Destroy every socket, also those still in the TLS handshake (not known to node:http). */
  destroyAll(): void;
}

/** Count requests and sockets as they come and go; call before the server listens. */
export function trackServer(server: HttpServer): ServerTracker {
  const sockets = new Set<Socket>();
  let requests = 0;
  let draining = false;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Before the handler, so the header is set before any answer is written.
  server.prependListener('request', (_req, res) => {
    requests++;
    res.once('close', () => requests--);
    if (draining) res.setHeader('Connection', 'close');
  });
  return {
    requests: () => requests,
    sockets: () => sockets.size,
    startDraining: () => {
      draining = true;
    },
    destroyAll: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

export interface DrainResult {
  /** The grace period ran out and open connections were cut. */
  readonly forced: boolean;
  /** Requests still being answered when they were cut (0 when not forced). */
  readonly cutRequests: number;
  readonly durationMs: number;
}

export interface DrainOptions {
  /** Hard deadline: after it every connection is closed, answered or not. */
  readonly graceMs: number;
  /** How often connections that went idle (their last answer sent) are closed. */
  readonly sweepMs?: number;
  /** Aborting cuts at once, as the deadline would (a second SIGTERM). */
  readonly signal?: AbortSignal;
}

/**
 * Stop accepting, let the requests in flight finish, close keep-alive connections as they go
 * idle, and cut everything at the deadline. Resolves when the server holds no connection.
 */
export async function drainServer(server: HttpServer, tracker: ServerTracker, { graceMs, sweepMs = 50, signal }: DrainOptions): Promise<DrainResult> {
  const started = Date.now();
  tracker.startDraining();
  const closed = new Promise<void>((resolve) => {
    if (!server.listening) resolve();
    server.close(() => resolve());
  });
  // server.close() closes the idle ones once; connections busy now go idle later.
  const sweep = setInterval(() => server.closeIdleConnections(), sweepMs);
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'deadline'>((resolve) => {
    deadline = setTimeout(() => resolve('deadline'), graceMs);
    if (signal?.aborted) resolve('deadline');
    signal?.addEventListener('abort', () => resolve('deadline'), { once: true });
  });
  const outcome = await Promise.race([closed.then(() => 'closed' as const), timedOut]);
  clearInterval(sweep);
  clearTimeout(deadline);
  if (outcome === 'closed') return { forced: false, cutRequests: 0, durationMs: Date.now() - started };
  const cutRequests = tracker.requests();
  server.closeAllConnections();
  tracker.destroyAll();
  await closed;
  return { forced: true, cutRequests, durationMs: Date.now() - started };
}
