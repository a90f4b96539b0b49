import type https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import type { Registry as PromRegistry } from 'prom-client';
import type { Registry } from '../kinds/registry.js';
import type { Logger } from '../log.js';
import { createConvertHandler, DEFAULT_MAX_REQUEST_BYTES } from './http/convertHandler.js';
import { defaultMaxInflightBytes, MemoryBudget } from './http/memoryBudget.js';
import { listen } from './http/listen.js';
import { logObserver } from './http/logObserver.js';
import { combineObservers, type ReviewObserver } from './http/observer.js';
import { cachedCheck, createProbesApp, type ReadinessCheck } from './http/probes.js';
import { drainServer, trackServer, type DrainResult } from './http/shutdown.js';
import { startSideServer, type SideServer } from './http/sideServer.js';
import { createFallbackApp, createWebhookServer, dispatch, type WebhookTimeouts } from './http/webhookServer.js';
import { createMetricsApp } from './metrics/endpoint.js';
import { createWebhookMetrics, type WebhookMetrics } from './metrics/webhookMetrics.js';
import { formatAddress, type BindAddress } from './http/bindAddress.js';
import {
  certificateFiles,
  describeCertificate,
  loadServingCertificate,
  warnIfExpiring,
  type CertificateSource,
} from './tls/certificates.js';
import { secureContextOptions, type ServingCertificate } from './tls/certificate.js';
import { watchCertificate, type CertWatcher, type CheckOutcome } from './tls/certWatcher.js';
import { loopbackFor, probeTls } from './tls/tlsProbe.js';
import { ConversionPool } from './threads/conversionPool.js';

export { certificateSource, defaultDevCertDir, type CertificateSource } from './tls/certificates.js';

export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;
/** Reviews that may wait for room in the memory budget. */
export const DEFAULT_MAX_WAITING_REVIEWS = 64;
/** How long a review may wait for room: well within the apiserver's 30 s, so that its retry can still succeed. */
export const DEFAULT_MAX_WAIT_MS = 10_000;

export interface ServiceOptions {
  readonly registry: Registry;
  readonly logger: Logger;
  /** HTTPS port of the webhook; 0 picks a free one (see RunningService.port). */
  readonly port: number;
  /** Address the webhook binds; every interface when absent. */
  readonly host?: string;
  readonly certificates: CertificateSource;
  readonly maxRequestBytes?: number;
  /** Request-body bytes of the reviews in flight, at most; default: the heap limit / 4. */
  readonly maxInflightBytes?: number;
  /** Reviews waiting for room in that budget, at most (more get 429). */
  readonly maxWaitingReviews?: number;
  /** How long a review may wait for room (then 429). */
  readonly maxWaitMs?: number;
  /** Bodies of this size or more are converted in slices, the event loop free between them. */
  readonly sliceFromBytes?: number;
  readonly observers?: readonly ReviewObserver[];
  /** Plain-HTTP /healthz and /readyz; no probe server when absent. */
  readonly probes?: BindAddress;
  /** Plain-HTTP /metrics; no metrics at all when absent. */
  readonly metrics?: BindAddress;
  /** From the start of a shutdown to the hard close of every connection. */
  readonly shutdownGraceMs?: number;
  /** Keep accepting this long after a shutdown begins (readiness already 503), within the grace. */
  readonly shutdownDelayMs?: number;
  /** How often the certificate files are stat-polled besides the directory watch. */
  readonly certPollIntervalMs?: number;
  /** Watch the certificate directories (default); false leaves only the poll (for tests). */
  readonly watchCertDirectories?: boolean;
  /** How long one TLS self-check answers readiness for. */
  readonly readinessCacheMs?: number;
  readonly timeouts?: Partial<WebhookTimeouts>;
  /**
   * Threads that convert big reviews (--convert-threads), each loading the kinds of `kinds` (the
   * --kinds the registry was loaded from); big reviews convert in process without.
   */
  readonly convertThreads?: { readonly threads: number; readonly kinds: string | undefined };
}

export interface ShutdownResult extends DrainResult {
  readonly reason: string;
}

export interface RunningService {
  readonly server: https.Server;
  readonly port: number;
  /** The CA that signed a generated development certificate. */
  readonly devCaFile?: string;
  /** Port of /healthz and /readyz, when enabled. */
  readonly probesPort?: number;
  /** Port of /metrics, when enabled. */
  readonly metricsPort?: number;
  /** The service's own prom-client registry, when metrics are enabled. */
  readonly metrics?: PromRegistry;
  /** The certificate new connections get. */
  certificate(): ServingCertificate;
  /** Look at the certificate files now (SIGHUP does this); unchanged for a development certificate. */
  reloadCertificate(): Promise<CheckOutcome>;
  /**
   * Graceful stop: readiness 503, stop accepting, finish what is in flight, close keep-alive
   * connections, cut the rest at the grace deadline. Calling it again returns the same promise;
   * `force()` cuts at once.
   */
  shutdown(reason?: string): Promise<ShutdownResult>;
  force(): void;
  /** shutdown(), for callers that only wait. */
  close(): Promise<void>;
}

/** Start the conversion webhook: HTTPS on `port`, POST /convert; probes and metrics if asked. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { registry, logger } = options;
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const delayMs = Math.min(options.shutdownDelayMs ?? 0, graceMs);
  const { certificate: initial, devCaFile } = await loadServingCertificate(options.certificates, logger);
  warnIfExpiring(logger, initial);

  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const budget = new MemoryBudget({
    maxBytes: options.maxInflightBytes ?? defaultMaxInflightBytes(),
    maxWaiting: options.maxWaitingReviews ?? DEFAULT_MAX_WAITING_REVIEWS,
    maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
  });
  const metrics = options.metrics ? createWebhookMetrics(registry, { budget }) : undefined;
  metrics?.certificateServed(initial);
  const observer = combineObservers(
    logObserver(logger),
    ...(metrics ? [metrics.observer] : []),
    ...(options.observers ?? []),
  );
  const threads = options.convertThreads?.threads ?? 0;
  const pool =
    threads > 0
      ? await ConversionPool.start({
          threads,
          kinds: options.convertThreads!.kinds,
          log: (level, entry) => logger[level](entry),
        })
      : undefined;
  if (pool && pool.size < threads)
    logger.warn({
      msg:
        pool.size === 0
          ? 'no conversion thread started: big reviews are converted in the main thread'
          : 'some conversion threads did not start',
      requested: threads,
      started: pool.size,
    });
  const convert = createConvertHandler({
    registry,
    observer,
    maxRequestBytes,
    budget,
    ...(pool && { pool }),
    ...(options.sliceFromBytes !== undefined && { sliceFromBytes: options.sliceFromBytes }),
  });
  const server = createWebhookServer({
    tls: secureContextOptions(initial),
    handler: dispatch(convert, createFallbackApp()),
    ...(options.timeouts && { timeouts: options.timeouts }),
  });
  const tracker = trackServer(server);
  server.on('tlsClientError', (e: NodeJS.ErrnoException) => {
    if (logger.isLevelEnabled('debug')) logger.debug({ msg: 'TLS handshake failed', error: e.code ?? e.message });
  });

  const started: SideServer[] = [];
  let watcher: CertWatcher | undefined;
  let shuttingDown = false;
  try {
    const address = await listen(server, options.port, options.host);
    watcher = await watchServingCertificate(options, initial, server, logger, metrics);
    const probes =
      options.probes &&
      (await startSideServer(
        createProbesApp({
          checks: readinessChecks(options, address.address, address.port),
          shuttingDown: () => shuttingDown,
        }),
        options.probes,
      ));
    if (probes) started.push(probes);
    const scrape =
      metrics && options.metrics && (await startSideServer(createMetricsApp(metrics.registry), options.metrics));
    if (scrape) started.push(scrape);

    logger.info({
      msg: 'conversion webhook listening',
      port: address.port,
      address: formatAddress(options.host, address.port),
      path: '/convert',
      kinds: registry.kinds.map((k) => `${k.def.kind}.${k.def.group} (${[...k.versions.keys()].join(', ')})`),
      certificate: { source: describeSource(options.certificates), ...describeCertificate(initial) },
      probes: probes ? formatAddress(probes.host, probes.port) : 'disabled',
      metrics: scrape ? formatAddress(scrape.host, scrape.port) : 'disabled',
      ...(probes && { probesPort: probes.port }),
      ...(scrape && { metricsPort: scrape.port }),
      shutdownGraceMs: graceMs,
      maxRequestBytes,
      convertThreads: pool?.size ?? 0,
      memory: {
        heapLimitBytes: getHeapStatistics().heap_size_limit,
        maxInflightBytes: budget.maxBytes,
        smallReviewReserveBytes: budget.reserveBytes,
        maxWaitingReviews: options.maxWaitingReviews ?? DEFAULT_MAX_WAITING_REVIEWS,
        maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      },
    });
    if (maxRequestBytes > budget.maxBytes)
      logger.warn({
        msg: 'reviews bigger than the memory budget will be refused (413): raise the heap limit (--max-old-space-size) or --max-inflight-bytes, or lower --max-request-bytes',
        maxRequestBytes,
        maxInflightBytes: budget.maxBytes,
      });

    const abort = new AbortController();
    let stopping: Promise<ShutdownResult> | undefined;
    const shutdown = (reason = 'close'): Promise<ShutdownResult> => {
      stopping ??= (async () => {
        shuttingDown = true;
        logger.info({
          msg: 'shutting down: readiness fails from now on',
          reason,
          graceMs,
          delayMs,
          inFlight: tracker.requests(),
          connections: tracker.sockets(),
        });
        const deadline = Date.now() + graceMs;
        if (delayMs > 0) await delay(delayMs, undefined, { signal: abort.signal }).catch(() => {});
        logger.info({
          msg: 'stopped accepting connections; finishing the reviews in flight',
          inFlight: tracker.requests(),
        });
        const drained = await drainServer(server, tracker, {
          graceMs: Math.max(0, deadline - Date.now()),
          signal: abort.signal,
        });
        watcher?.close();
        await Promise.all([...started.map((s) => s.close()), pool?.close()]);
        const entry = { msg: 'shut down', reason, ...drained };
        if (drained.forced)
          logger.warn({ ...entry, msg: 'shut down: the grace period ran out and open connections were cut' });
        else logger.info(entry);
        return { reason, ...drained };
      })();
      return stopping;
    };

    return {
      server,
      port: address.port,
      ...(devCaFile !== undefined && { devCaFile }),
      ...(probes && { probesPort: probes.port }),
      ...(scrape && { metricsPort: scrape.port }),
      ...(metrics && { metrics: metrics.registry }),
      certificate: () => watcher?.current() ?? initial,
      reloadCertificate: () => watcher?.check() ?? Promise.resolve('unchanged'),
      shutdown,
      force: () => {
        abort.abort();
        if (!stopping) void shutdown('forced');
      },
      close: () => shutdown().then(() => undefined),
    };
  } catch (e) {
    watcher?.close();
    server.close();
    await Promise.all([...started.map((s) => s.close()), pool?.close()]);
    throw e;
  }
}

const describeSource = (source: CertificateSource): string =>
  source.kind === 'dir'
    ? `--cert-dir ${source.dir}`
    : source.kind === 'files'
      ? `${source.certFile}, ${source.keyFile}`
      : `generated in ${source.dir}`;

/** Readiness: converters are registered, and our own TLS listener completes a handshake. */
function readinessChecks(options: ServiceOptions, boundAddress: string, port: number): ReadinessCheck[] {
  const kinds = options.registry.kinds.length;
  const dial = loopbackFor(boundAddress);
  return [
    { name: 'converters', check: async () => (kinds > 0 ? undefined : 'no kinds are registered') },
    cachedCheck(
      {
        name: 'webhook',
        check: () =>
          probeTls(dial, port, 2_000).then(
            () => undefined,
            (e: Error) => `the TLS listener on ${formatAddress(dial, port)} does not answer: ${e.message}`,
          ),
      },
      options.readinessCacheMs ?? 1_000,
    ),
  ];
}

/** Follow the certificate files; new connections get a new valid pair, a broken one is refused. */
async function watchServingCertificate(
  options: ServiceOptions,
  initial: ServingCertificate,
  server: https.Server,
  logger: Logger,
  metrics: WebhookMetrics | undefined,
): Promise<CertWatcher | undefined> {
  const files = certificateFiles(options.certificates);
  if (!files) return undefined;
  const watcher = await watchCertificate({
    ...files,
    initial,
    ...(options.certPollIntervalMs !== undefined && { pollIntervalMs: options.certPollIntervalMs }),
    ...(options.watchCertDirectories === false && { watchDirectories: false }),
    onReloaded: (certificate) => {
      server.setSecureContext(secureContextOptions(certificate));
      metrics?.certificateServed(certificate);
      metrics?.certificateReload('success');
      logger.info({ msg: 'serving certificate reloaded: new connections get it', ...describeCertificate(certificate) });
      warnIfExpiring(logger, certificate);
    },
    onRejected: (error) => {
      metrics?.certificateReload('failure');
      logger.error({
        msg: 'the changed serving certificate cannot be used; still serving the previous one',
        error: error.message,
        ...files,
        serving: describeCertificate(watcher.current()),
      });
    },
    onWatchProblem: (error) =>
      logger.warn({ msg: 'cannot watch the certificate directory; polling only', error: error.message }),
  });
  logger.info({
    msg: 'watching the serving certificate for changes',
    ...files,
    pollIntervalMs: options.certPollIntervalMs ?? 10_000,
  });
  return watcher;
}
