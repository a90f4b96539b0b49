import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger, LOG_LEVELS, type LogLevel } from '../log.js';
import { certificateSource, startService } from '../service.js';

const integer = (name: string, min: number, max: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

/** `crdconv serve`: the conversion webhook for the kinds in converters/. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the conversion webhook (POST /convert, HTTPS) for the kinds in converters/')
    .addOption(new Option('--port <port>', 'HTTPS port of the webhook').env('CRDCONV_PORT').default(9443).argParser(integer('--port', 0, 65535)))
    .addOption(new Option('--cert-dir <dir>', 'directory holding tls.crt and tls.key (a mounted kubernetes.io/tls Secret)').env('CRDCONV_CERT_DIR'))
    .addOption(new Option('--tls-cert-file <file>', 'serving certificate (PEM), instead of --cert-dir').env('CRDCONV_TLS_CERT_FILE'))
    .addOption(new Option('--tls-private-key-file <file>', 'private key of the serving certificate (PEM)').env('CRDCONV_TLS_PRIVATE_KEY_FILE'))
    .addOption(new Option('--dev-cert-dir <dir>', 'where to write the generated development CA and certificate when no certificate is given').env('CRDCONV_DEV_CERT_DIR'))
    .addOption(new Option('--max-request-bytes <bytes>', 'largest accepted ConversionReview body').env('CRDCONV_MAX_REQUEST_BYTES').default(64 * 1024 * 1024).argParser(integer('--max-request-bytes', 1024, 2 ** 31)))
    .addOption(new Option('--log-level <level>', 'log level').env('CRDCONV_LOG_LEVEL').choices([...LOG_LEVELS]).default('info'))
    .action(async (opts: { port: number; certDir?: string; tlsCertFile?: string; tlsPrivateKeyFile?: string; devCertDir?: string; maxRequestBytes: number; logLevel: LogLevel }) => {
      const logger = createLogger(opts.logLevel);
      const { registry } = await import('../../converters/index.js');
      const service = await startService({
        registry,
        logger,
        port: opts.port,
        maxRequestBytes: opts.maxRequestBytes,
        certificates: certificateSource({ certDir: opts.certDir, certFile: opts.tlsCertFile, keyFile: opts.tlsPrivateKeyFile, devCertDir: opts.devCertDir }),
      });
      const stop = (signal: string) => {
        logger.info({ msg: 'shutting down', signal });
        void service.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
