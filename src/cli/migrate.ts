import { Command, InvalidArgumentError, Option } from 'commander';
import { integerIn } from './options.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { clientNodeApi, type MigrationApi } from '../migrate/kubeApi.js';
import { loadKubeConfig } from '../migrate/kubeConfig.js';
import { chooseReporter, type ProgressMode } from '../migrate/progress.js';
import { rateLimited, systemClock, TokenBucket, type Clock } from '../migrate/rateLimit.js';
import { defaultMigrateOptions, runMigration } from '../migrate/runMigration.js';
import { defaultStateFile } from '../migrate/state.js';
import { exitCode, formatSummary } from '../migrate/summary.js';

/** What the command needs from outside, replaceable in tests. */
export interface MigrateCliDeps {
  readonly makeApi: (kc: KubeConfig) => MigrationApi;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly clock: Clock;
  readonly setExitCode: (code: number) => void;
  /** Calls `onInterrupt` on SIGINT; returns a function that stops listening. */
  readonly onInterrupt: (onInterrupt: () => void) => () => void;
}

const defaultDeps: MigrateCliDeps = {
  makeApi: clientNodeApi,
  stdout: process.stdout,
  stderr: process.stderr,
  clock: systemClock,
  setExitCode: (code) => {
    process.exitCode = code;
  },
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

export interface MigrateFlags {
  crd: string;
  kubeconfig?: string;
  context?: string;
  qps: number;
  pageSize: number;
  dryRun?: boolean;
  stateFile?: string;
  trim: boolean;
  force?: boolean;
  maxConflictRetries: number;
  progress: ProgressMode;
  output: 'text' | 'json';
}

export const positiveNumber =
  (flag: string) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number`);
    return n;
  };

export const MIGRATE_HELP = `
What it does
  Reads the CRD, lists every object of the kind in the storage version (pages of --page-size,
  following continue tokens; all namespaces), and rewrites each one with a write that changes
  nothing: a JSON merge patch holding only the object's metadata.resourceVersion. The apiserver
  stores the object again, in the current storage version. A 409 Conflict (someone wrote the
  object meanwhile) re-reads it and tries again; a 404 (deleted meanwhile) is skipped; any other
  error counts the object as failed and the run goes on. When every object was rewritten with no
  failure, it patches the CRD's status subresource so status.storedVersions is exactly
  [storage version], guarded by the CRD's resourceVersion from the start of the run: if the CRD
  changed meanwhile, nothing is trimmed and the run says so.

  Progress goes to stderr: a bar on a terminal, JSON lines otherwise. The summary goes to stdout.
  Ctrl-C stops after the object in flight and saves the position to the state file; running the
  same command again goes on from there (an unchanged CRD is required; otherwise it starts over).

Exit status
  0    every object rewritten and storedVersions trimmed (or nothing to do; or --no-trim)
  1    some objects failed, listing failed, or the CRD changed meanwhile (nothing trimmed)
  130  interrupted; run the same command again to resume

Retiring a version, step by step (example: retire v1 of crontabs.stable.example.com for v2)
  1. Add the new version. Add v2 (served: true, storage: false) and its converters, deploy the
     webhook, regenerate and apply the CRD:
       npm run crds && kubectl apply -f crds/crontabs.stable.example.com.yaml
       crdconv check --crd crontabs.stable.example.com
  2. Switch storage. Set storage: true on v2 and false on v1, apply. New writes are stored in v2;
     status.storedVersions becomes [v1, v2]: old objects stay stored in v1 until rewritten.
  3. Migrate. Rewrite every object in v2 (try --dry-run first):
       crdconv migrate --crd crontabs.stable.example.com --dry-run
       crdconv migrate --crd crontabs.stable.example.com
  4. Trim storedVersions. Done by step 3 when nothing failed: status.storedVersions becomes [v2].
     Check with:
       kubectl get crd crontabs.stable.example.com -o jsonpath='{.status.storedVersions}'
  5. Stop serving v1. Once no client reads or writes v1 (the apiserver's
     apiserver_requested_deprecated_apis metric and audit logs tell), set served: false on v1.
  6. Remove v1. Delete it from spec.versions (the apiserver refuses while it is still in
     status.storedVersions) and remove its converters; apply and redeploy.

Examples
  crdconv migrate --crd crontabs.stable.example.com --dry-run
  crdconv migrate --crd crontabs.stable.example.com --context prod --qps 50
  crdconv migrate --crd crontabs.stable.example.com --progress json --output json > summary.json
`;

/** `crdconv migrate`: rewrite every object in the storage version, then trim storedVersions. */
export function registerMigrate(program: Command, deps: Partial<MigrateCliDeps> = {}): void {
  const d = { ...defaultDeps, ...deps };
  program
    .command('migrate')
    .description('rewrite every object of a CRD in its storage version, then trim status.storedVersions')
    .requiredOption('--crd <name>', 'the CRD, e.g. crontabs.stable.example.com')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--qps <n>', 'at most this many API requests per second (token bucket)', positiveNumber('--qps'), 20)
    .option(
      '--page-size <n>',
      'objects per list page',
      integerIn('--page-size', 1, 10_000),
      defaultMigrateOptions.pageSize,
    )
    .option(
      '--dry-run',
      'list and report; every write is sent with dryRun=All, so nothing is persisted (no state file either)',
    )
    .option('--state-file <file>', 'where progress is saved for a resume (default: ./.crdconv-migrate-<crd>.json)')
    .option('--no-trim', 'rewrite the objects but leave status.storedVersions alone')
    .option('--force', 'rewrite even when status.storedVersions already holds only the storage version')
    .option(
      '--max-conflict-retries <n>',
      're-reads after a 409 Conflict before an object counts as failed',
      integerIn('--max-conflict-retries', 0, 100),
      defaultMigrateOptions.maxConflictRetries,
    )
    .addOption(
      new Option('--progress <mode>', 'progress on stderr: a bar, JSON lines, or none; auto = bar on a terminal')
        .choices(['auto', 'bar', 'json', 'none'])
        .default('auto'),
    )
    .addOption(new Option('--output <format>', 'summary on stdout').choices(['text', 'json']).default('text'))
    .addHelpText('after', MIGRATE_HELP)
    .action(async (flags: MigrateFlags) => {
      d.setExitCode(await migrateCommand(flags, d));
    });
}

/** Runs the migration for parsed flags and returns the exit status. */
export async function migrateCommand(flags: MigrateFlags, d: MigrateCliDeps): Promise<number> {
  const kc = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const api = rateLimited(d.makeApi(kc), new TokenBucket(flags.qps, Math.max(1, Math.ceil(flags.qps)), d.clock));
  const controller = new AbortController();
  let interrupts = 0;
  const stopListening = d.onInterrupt(() => {
    interrupts += 1;
    // A second Ctrl-C means now: the state file is at most one object behind.
    if (interrupts > 1) process.exit(130);
    d.stderr.write('\ninterrupted: finishing the object in flight and saving progress (Ctrl-C again to quit now)\n');
    controller.abort();
  });
  try {
    const summary = await runMigration(
      {
        ...defaultMigrateOptions,
        crdName: flags.crd,
        dryRun: flags.dryRun === true,
        pageSize: flags.pageSize,
        stateFile: flags.stateFile ?? defaultStateFile(flags.crd),
        trim: flags.trim,
        force: flags.force === true,
        maxConflictRetries: flags.maxConflictRetries,
      },
      { api, progress: chooseReporter(flags.progress, d.stderr), clock: d.clock, signal: controller.signal },
    );
    d.stdout.write(
      flags.output === 'json'
        ? `${JSON.stringify({ ...summary, exitCode: exitCode(summary) })}\n`
        : formatSummary(summary),
    );
    return exitCode(summary);
  } finally {
    stopListening();
  }
}
