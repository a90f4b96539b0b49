import { integerIn } from './options.js';
import { kindsOption, registryFor } from './kinds.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../log.js';
import {
  certificateSource,
  defaultDevCertDir,
  DEFAULT_MAX_WAIT_MS,
  DEFAULT_MAX_WAITING_REVIEWS,
  DEFAULT_SHUTDOWN_GRACE_MS,
  startService,
  type RunningService,
} from '../server/service.js';
import { parseBindAddress, type BindAddress } from '../server/http/bindAddress.js';
import { formatDuration, parseDuration } from './duration.js';
import { DEFAULT_POLL_INTERVAL_MS } from '../server/tls/certWatcher.js';
import { isWorker, parseWorkers, runPrimary, serveAsWorker } from '../server/workers.js';
import { createDevCertificates } from '../server/tls/devCert.js';
import { autoConvertThreads, parseConvertThreads } from '../server/threads/conversionPool.js';
import { availableCpus } from '../server/cpus.js';

const flagParser =
  <T>(parse: (text: string) => T) =>
  (value: string): T => {
    try {
      return parse(value);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };

const duration = flagParser(parseDuration);
const bindAddress = flagParser(parseBindAddress);

interface ServeFlags {
  kinds?: string;
  port: number;
  host?: string;
  certDir?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  devCertDir?: string;
  certPollInterval: number;
  maxRequestBytes: number;
  maxInflightBytes?: number;
  maxWaitingReviews: number;
  maxWait: number;
  healthProbeBindAddress?: BindAddress;
  metricsBindAddress?: BindAddress;
  shutdownGrace: number;
  shutdownDelay: number;
  logLevel: LogLevel;
  workers: number;
  convertThreads?: number;
}

/** `crdconv serve`: the conversion webhook for the kinds of `--kinds` (default: the shipped examples). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Serve the conversion webhook (POST /convert, HTTPS) for your kinds (--kinds), with health probes and Prometheus metrics',
    )
    .addOption(kindsOption())
    .addOption(
      new Option('--port <port>', 'HTTPS port of the webhook (0: any free port, logged at startup)')
        .env('CRDCONV_PORT')
        .default(9443)
        .argParser(integerIn('--port', 0, 65535)),
    )
    .addOption(
      new Option('--host <address>', 'address the webhook binds (default: every interface)').env('CRDCONV_HOST'),
    )
    .addOption(
      new Option(
        '--cert-dir <dir>',
        'directory holding tls.crt and tls.key (a mounted kubernetes.io/tls Secret); reloaded when it changes',
      ).env('CRDCONV_CERT_DIR'),
    )
    .addOption(
      new Option(
        '--tls-cert-file <file>',
        'serving certificate (PEM, chain after the leaf), instead of --cert-dir; reloaded when it changes',
      ).env('CRDCONV_TLS_CERT_FILE'),
    )
    .addOption(
      new Option(
        '--tls-private-key-file <file>',
        'private key of the serving certificate (PEM), with --tls-cert-file',
      ).env('CRDCONV_TLS_PRIVATE_KEY_FILE'),
    )
    .addOption(
      new Option(
        '--dev-cert-dir <dir>',
        'where to write the generated development CA and certificate when no certificate is given',
      ).env('CRDCONV_DEV_CERT_DIR'),
    )
    .addOption(
      new Option(
        '--cert-poll-interval <duration>',
        'how often the certificate files are checked besides the directory watch',
      )
        .env('CRDCONV_CERT_POLL_INTERVAL')
        .default(DEFAULT_POLL_INTERVAL_MS, formatDuration(DEFAULT_POLL_INTERVAL_MS))
        .argParser(duration),
    )
    .addOption(
      new Option('--max-request-bytes <bytes>', 'largest accepted ConversionReview body; larger ones get 413')
        .env('CRDCONV_MAX_REQUEST_BYTES')
        .default(64 * 1024 * 1024)
        .argParser(integerIn('--max-request-bytes', 1024, 2 ** 31)),
    )
    .addOption(
      new Option(
        '--max-inflight-bytes <bytes>',
        'memory budget: request-body bytes of the reviews in flight at most (more wait; a review bigger than this gets 413)',
      )
        .env('CRDCONV_MAX_INFLIGHT_BYTES')
        .default(undefined, 'the heap limit / 4 (node --max-old-space-size)')
        .argParser(integerIn('--max-inflight-bytes', 1024, 2 ** 40)),
    )
    .addOption(
      new Option('--max-waiting-reviews <count>', 'reviews that may wait for room in the memory budget (more get 429)')
        .env('CRDCONV_MAX_WAITING_REVIEWS')
        .default(DEFAULT_MAX_WAITING_REVIEWS)
        .argParser(integerIn('--max-waiting-reviews', 0, 100_000)),
    )
    .addOption(
      new Option('--max-wait <duration>', 'how long a review may wait for room in the memory budget (then 429)')
        .env('CRDCONV_MAX_WAIT')
        .default(DEFAULT_MAX_WAIT_MS, formatDuration(DEFAULT_MAX_WAIT_MS))
        .argParser(duration),
    )
    .addOption(
      new Option(
        '--health-probe-bind-address <address>',
        'plain-HTTP address of GET /healthz and /readyz (HOST:PORT, :PORT; 0 or empty disables)',
      )
        .env('CRDCONV_HEALTH_PROBE_BIND_ADDRESS')
        .default(parseBindAddress(':8081'), ':8081')
        .argParser(bindAddress),
    )
    .addOption(
      new Option(
        '--metrics-bind-address <address>',
        'plain-HTTP address of GET /metrics (HOST:PORT, :PORT; 0 or empty disables)',
      )
        .env('CRDCONV_METRICS_BIND_ADDRESS')
        .default(parseBindAddress(':8080'), ':8080')
        .argParser(bindAddress),
    )
    .addOption(
      new Option(
        '--shutdown-grace <duration>',
        'on SIGTERM, how long in-flight reviews may take before connections are cut (30s, 500ms, 2m, or seconds)',
      )
        .env('CRDCONV_SHUTDOWN_GRACE')
        .default(DEFAULT_SHUTDOWN_GRACE_MS, formatDuration(DEFAULT_SHUTDOWN_GRACE_MS))
        .argParser(duration),
    )
    .addOption(
      new Option(
        '--shutdown-delay <duration>',
        'on SIGTERM, keep accepting this long (readiness already failing) so endpoint removal reaches the apiserver; part of the grace',
      )
        .env('CRDCONV_SHUTDOWN_DELAY')
        .default(0, '0s')
        .argParser(duration),
    )
    .addOption(
      new Option(
        '--workers <n>',
        'processes that serve the webhook, sharing its port (a number, or auto: one per CPU, the cgroup CPU limit included); with more than one, a primary serves probes and aggregated metrics',
      )
        .env('CRDCONV_WORKERS')
        .default(1)
        .argParser(flagParser(parseWorkers)),
    )
    .addOption(
      new Option(
        '--convert-threads <n>',
        'threads that convert the objects of big reviews (1 MiB and more) side by side (0: in the main thread; auto: one per CPU from 2 CPUs, at most 8, the CPUs shared among --workers; CPUs: the affinity mask capped by the cgroup CPU limit)',
      )
        .env('CRDCONV_CONVERT_THREADS')
        .default(undefined, 'auto')
        .argParser(flagParser((v) => parseConvertThreads(v, availableCpus()))),
    )
    .addOption(
      new Option('--log-level <level>', 'log level (JSON lines on stderr; object contents only ever at debug)')
        .env('CRDCONV_LOG_LEVEL')
        .choices([...LOG_LEVELS])
        .default('info'),
    )
    .addHelpText(
      'after',
      `
Signals: SIGTERM or SIGINT drain and exit (a second one cuts at once); SIGHUP re-reads the certificate.
Exit status: 0 after a clean drain, 1 when the grace period ran out and connections were cut.`,
    )
    .action(async (opts: ServeFlags) => {
      const logger = createLogger(opts.logLevel);
      if (opts.workers > 1 && !isWorker()) {
        // The primary converts nothing: see src/server/workers.ts. Without a certificate, one
        // development certificate is made here for every worker (each would make its own).
        const devCert =
          opts.certDir || opts.tlsCertFile
            ? undefined
            : await createDevCertificates(opts.devCertDir ?? defaultDevCertDir());
        const code = await runPrimary({
          ...(devCert && { env: { CRDCONV_CERT_DIR: devCert.dir } }),
          workers: opts.workers,
          ...(opts.healthProbeBindAddress && { probes: opts.healthProbeBindAddress }),
          ...(opts.metricsBindAddress && { metrics: opts.metricsBindAddress }),
          log: (level, entry) => logger[level](entry),
          graceMs: opts.shutdownGrace + 10_000,
        });
        process.exit(code);
      }
      const { registry, source } = await registryFor(opts.kinds);
      logger.info({ msg: 'kinds loaded', from: source });
      const service = await startService({
        registry,
        logger,
        port: opts.port,
        ...(opts.host && { host: opts.host }),
        maxRequestBytes: opts.maxRequestBytes,
        ...(opts.maxInflightBytes !== undefined && { maxInflightBytes: opts.maxInflightBytes }),
        maxWaitingReviews: opts.maxWaitingReviews,
        maxWaitMs: opts.maxWait,
        certificates: certificateSource({
          certDir: opts.certDir,
          certFile: opts.tlsCertFile,
          keyFile: opts.tlsPrivateKeyFile,
          devCertDir: opts.devCertDir,
        }),
        certPollIntervalMs: opts.certPollInterval,
        // A worker's probes and metrics are the primary's to serve (src/server/workers.ts).
        ...(opts.healthProbeBindAddress && !isWorker() && { probes: opts.healthProbeBindAddress }),
        ...(opts.metricsBindAddress && {
          metrics: isWorker() ? { host: '127.0.0.1', port: 0 } : opts.metricsBindAddress,
        }),
        shutdownGraceMs: opts.shutdownGrace,
        shutdownDelayMs: opts.shutdownDelay,
        convertThreads: {
          // auto: the CPUs shared among the workers, each worker converting on its share.
          threads: opts.convertThreads ?? autoConvertThreads(Math.floor(availableCpus() / opts.workers)),
          kinds: opts.kinds,
        },
      });
      if (isWorker()) serveAsWorker(service.metrics, service.port);
      handleSignals(service, logger, opts.shutdownGrace);
    });
}

/** The process side of a graceful stop: signals in, exit status out. */
function handleSignals(service: RunningService, logger: Logger, graceMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ msg: 'second signal: cutting every connection now', signal });
      service.force();
      return;
    }
    stopping = true;
    // The drain is bounded by the grace; this is the backstop should anything else hang.
    setTimeout(() => {
      logger.error({ msg: 'shutdown did not finish after the grace period; exiting' });
      process.exit(1);
    }, graceMs + 5_000).unref();
    void service.shutdown(signal).then(
      (result) => process.exit(result.forced ? 1 : 0),
      (e: Error) => {
        logger.error({ msg: 'shutdown failed', error: e.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => {
    logger.info({ msg: 'SIGHUP: re-reading the serving certificate' });
    void service.reloadCertificate();
  });
}
