import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import type { Kind } from '../kinds/defineKind.js';
import { generateCrdFiles } from '../crd/files.js';
import { defaultWebhookService, type WebhookService } from '../crd/service.js';
import { diffCrdDir, isClean, syncCrdDir, type CrdDirDiff } from '../crd/sync.js';
import { kindsOption, registryFor } from './kinds.js';

/** What the command needs from outside, replaceable in tests. */
export interface CrdsDeps {
  /** The kinds to generate CRDs for, given `--kinds` (default: see src/kinds/load.ts). */
  readonly loadKinds: (spec: string | undefined) => Promise<readonly Kind[]>;
  readonly print: (line: string) => void;
}

// Loaded when the command runs, not when the CLI starts: `crdconv --help` must work even when
// the converters do not (an incomplete registry throws on import). The registry is built too,
// so that kinds the webhook would refuse to serve get no CRDs either.
const defaultDeps: CrdsDeps = {
  loadKinds: async (spec) => (await registryFor(spec)).kinds,
  print: (line) => process.stdout.write(`${line}\n`),
};

interface CrdsOptions {
  kinds?: string;
  out?: string[];
  serviceName: string;
  serviceNamespace: string;
  servicePath: string;
  servicePort: number;
  check?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const parsePort = (value: string): number => {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port < 1 || port > 65535)
    throw new InvalidArgumentError('must be a port number from 1 to 65535');
  return port;
};

/** `crdconv crds`: write (or, with --check, compare) one CRD file per kind into each --out dir. */
export function registerCrds(program: Command, deps: Partial<CrdsDeps> = {}): void {
  const { loadKinds, print } = { ...defaultDeps, ...deps };
  const d = defaultWebhookService;
  program
    .command('crds')
    .description('generate one CustomResourceDefinition per kind, <plural>.<group>.yaml, from the codecs')
    .addOption(kindsOption())
    .option('--out <dir>', 'directory to write into; repeat for several (default: crds)', collect)
    .option('--service-name <name>', 'name of the webhook Service', d.name)
    .option('--service-namespace <namespace>', 'namespace of the webhook Service', d.namespace)
    .option('--service-path <path>', 'HTTP path the webhook serves conversions on', d.path)
    .option('--service-port <port>', 'port of the webhook Service', parsePort, d.port)
    .option('--check', 'write nothing; fail listing the files that differ from what would be written (for CI)')
    .action(async (options: CrdsOptions) => {
      const dirs = options.out ?? ['crds'];
      const service: WebhookService = {
        name: options.serviceName,
        namespace: options.serviceNamespace,
        path: options.servicePath,
        port: options.servicePort,
      };
      const files = generateCrdFiles(await loadKinds(options.kinds), service);
      if (options.check) await check(dirs, files, print);
      else await write(dirs, files, print);
    });
}

async function write(dirs: string[], files: Map<string, string>, print: CrdsDeps['print']): Promise<void> {
  for (const dir of dirs) {
    const diff = await syncCrdDir(dir, files);
    for (const name of diff.missing) print(`created ${join(dir, name)}`);
    for (const name of diff.changed) print(`updated ${join(dir, name)}`);
    for (const name of diff.stale) print(`removed ${join(dir, name)}`);
    if (isClean(diff)) print(`${dir}: ${diff.unchanged.length} CRD file(s) up to date`);
  }
}

const describeDiff = (dir: string, diff: CrdDirDiff): string[] => [
  ...diff.missing.map((n) => `missing  ${join(dir, n)}`),
  ...diff.changed.map((n) => `differs  ${join(dir, n)}`),
  ...diff.stale.map((n) => `stale    ${join(dir, n)} (its kind is gone)`),
];

async function check(dirs: string[], files: Map<string, string>, print: CrdsDeps['print']): Promise<void> {
  const problems: string[] = [];
  for (const dir of dirs) {
    const diff = await diffCrdDir(dir, files);
    problems.push(...describeDiff(dir, diff));
    if (isClean(diff)) print(`${dir}: ${diff.unchanged.length} CRD file(s) up to date`);
  }
  if (problems.length) {
    throw new Error(
      `the CRD files are not what the codecs generate; run \`npm run crds\`:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
}
