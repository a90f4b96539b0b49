import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import tls from 'node:tls';

/** What a server is holding: requests being answered, and every socket (also mid-handshake). */
export interface ServerTracker {
  readonly requests: () => number;
  readonly sockets: () => number;
  /** Make every response from now on close its connection instead of keeping it alive. */
  startDraining(): void;
  /** Close the connections that hold nothing: no request unanswered, no answer unwritten, no byte of a next request. */
  closeIdle(): void;
  /** Destroy every socket, also those still in the TLS handshake (not known to node:http). */
  destroyAll(): void;
}

/** An HTTP connection between requests: it can be closed without losing anything. */
interface ConnectionState {
  /** Requests taken in whose answer has not been written out yet. */
  open: number;
  /** bytesRead when the last answer was written out: more since means a next request began. */
  quietAt: number;
}

/**
 * Count requests and sockets as they come and go; call before the server listens.
 *
 * It also replaces the server's closeIdleConnections (which server.close() calls) with one that
 * loses nothing. Node's own (20) closes every connection whose parser is between messages and
 * whose current answer has been ended, and ended is not written: it cuts an answer still being
 * flushed to a slow client, and a request already read and queued behind that answer. Answers are
 * written at the end of an event-loop turn (see turnBatch) and TLS reports them written only in
 * the next one, so during a drain node's sweep found such connections; a review taken in was then
 * lost. Here a connection counts as idle only when every request it brought has had its answer
 * written out ('close' on the response) and no byte came in since.
 */
export function trackServer(server: HttpServer): ServerTracker {
  const sockets = new Set<Socket>();
  const connections = new Map<Socket, ConnectionState>();
  let requests = 0;
  let draining = false;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // node:http reads HTTPS requests from the TLS socket, which exists once the handshake is done.
  server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections.set(socket, { open: 0, quietAt: socket.bytesRead });
    socket.once('close', () => connections.delete(socket));
  });
  // Before the handler, so the header is set before any answer is written.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const connection = connections.get(req.socket);
    if (connection) connection.open++;
    res.once('close', () => {
      requests--;
      if (connection && --connection.open === 0) connection.quietAt = req.socket.bytesRead;
    });
    if (draining) res.setHeader('Connection', 'close');
  });
  const closeIdle = (): void => {
    for (const [socket, c] of connections) if (c.open === 0 && socket.bytesRead === c.quietAt) socket.destroy();
  };
  server.closeIdleConnections = closeIdle;
  return {
    requests: () => requests,
    sockets: () => sockets.size,
    startDraining: () => {
      draining = true;
    },
    closeIdle,
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
export async function drainServer(
  server: HttpServer,
  tracker: ServerTracker,
  { graceMs, sweepMs = 50, signal }: DrainOptions,
): Promise<DrainResult> {
  const started = Date.now();
  tracker.startDraining();
  const closed = new Promise<void>((resolve) => {
    if (!server.listening) resolve();
    server.close(() => resolve());
  });
  // server.close() closes the idle ones once; connections busy now go idle later.
  const sweep = setInterval(tracker.closeIdle, sweepMs);
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
