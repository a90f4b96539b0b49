import { expect } from 'chai';
import { Command, CommanderError } from 'commander';
import { registerServe } from '../../../src/cli/serve.js';

/** `crdconv serve` alone, errors thrown instead of exiting. */
function serveCommand(): Command {
  const program = new Command('crdconv').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerServe(program);
  return program;
}

const FLAGS: [string, string][] = [
  ['--kinds', 'CRDCONV_KINDS'],
  ['--port', 'CRDCONV_PORT'],
  ['--host', 'CRDCONV_HOST'],
  ['--cert-dir', 'CRDCONV_CERT_DIR'],
  ['--tls-cert-file', 'CRDCONV_TLS_CERT_FILE'],
  ['--tls-private-key-file', 'CRDCONV_TLS_PRIVATE_KEY_FILE'],
  ['--dev-cert-dir', 'CRDCONV_DEV_CERT_DIR'],
  ['--cert-poll-interval', 'CRDCONV_CERT_POLL_INTERVAL'],
  ['--max-request-bytes', 'CRDCONV_MAX_REQUEST_BYTES'],
  ['--health-probe-bind-address', 'CRDCONV_HEALTH_PROBE_BIND_ADDRESS'],
  ['--metrics-bind-address', 'CRDCONV_METRICS_BIND_ADDRESS'],
  ['--shutdown-grace', 'CRDCONV_SHUTDOWN_GRACE'],
  ['--shutdown-delay', 'CRDCONV_SHUTDOWN_DELAY'],
  ['--log-level', 'CRDCONV_LOG_LEVEL'],
  ['--workers', 'CRDCONV_WORKERS'],
  ['--convert-threads', 'CRDCONV_CONVERT_THREADS'],
];

describe('crdconv serve: flags', () => {
  it('documents every flag with its environment variable and default in --help', () => {
    const help = serveCommand()
      .commands.find((c) => c.name() === 'serve')!
      .helpInformation();
    for (const [flag, env] of FLAGS) {
      const line = help.split('\n').find((l) => l.trimStart().startsWith(`${flag} `));
      expect(line, flag).to.be.a('string');
      expect(help, flag).to.contain(`env: ${env}`);
    }
    expect(help).to.contain('default: :8081');
    expect(help).to.contain('default: :8080');
    expect(help).to.contain('default: 30s');
    expect(help).to.match(/SIGTERM/);
  });

  const refused: [string[], RegExp][] = [
    [['--shutdown-grace', '10x'], /not a duration/],
    [['--shutdown-delay', 'soon'], /not a duration/],
    [['--cert-poll-interval', ''], /not a duration/],
    [['--metrics-bind-address', '8080'], /not a bind address/],
    [['--health-probe-bind-address', 'localhost'], /not a bind address/],
    [['--port', '70000'], /--port must be an integer/],
    [['--log-level', 'loud'], /Allowed choices/],
    [['--convert-threads', 'many'], /--convert-threads must be a number from 0 to 64, or auto/],
    [['--convert-threads', '65'], /--convert-threads must be a number from 0 to 64, or auto/],
  ];
  for (const [args, message] of refused) {
    it(`refuses ${args.join(' ')} before starting anything`, async () => {
      const error = await serveCommand()
        .parseAsync(['node', 'crdconv', 'serve', ...args])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).to.be.instanceOf(CommanderError);
      expect((error as Error).message).to.match(message);
    });
  }

  it('reads the environment variables through the same checks', async () => {
    process.env.CRDCONV_SHUTDOWN_GRACE = 'forever';
    try {
      const error = await serveCommand()
        .parseAsync(['node', 'crdconv', 'serve'])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect((error as Error).message).to.match(/"forever" is not a duration/);
    } finally {
      delete process.env.CRDCONV_SHUTDOWN_GRACE;
    }
  });
});
