import { Option, type Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import { clientNodeCheckApi, type CheckApi } from '../migrate/check/checkApi.js';
import { formatFindings, hasProblems } from '../migrate/check/findings.js';
import { runCheck } from '../migrate/check/runCheck.js';
import { loadKubeConfig } from '../migrate/kubeConfig.js';

/** What the command needs from outside, replaceable in tests. */
export interface CheckCliDeps {
  readonly makeApi: (kc: KubeConfig) => CheckApi;
  readonly stdout: NodeJS.WritableStream;
  readonly setExitCode: (code: number) => void;
}

const defaultDeps: CheckCliDeps = {
  makeApi: clientNodeCheckApi,
  stdout: process.stdout,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export interface CheckFlags {
  crd: string;
  kubeconfig?: string;
  context?: string;
  crdsDir: string;
  read: boolean;
  output: 'text' | 'json';
}

export const CHECK_HELP = `
What it checks
  Against the generated file (<crds-dir>/<crd>.yaml, written by \`npm run crds\`):
    - the versions, and the served and storage flag of each
    - each version's openAPIV3Schema, compared in depth (every differing path is named)
    - the conversion strategy, conversionReviewVersions, and the webhook's path and port
      (a different Service name or namespace is only a warning: deployments rename it)
  On the cluster's CRD alone:
    - a caBundle is present and is a base64 PEM certificate (strategy Webhook)
    - preserveUnknownFields is not true (webhook conversion forbids it)
    - every version in status.storedVersions is still served (if not: crdconv migrate)
  Through the apiserver (unless --no-read):
    - reads one object (list, limit=1) in every served version; an object stored in another
      version goes through the webhook, so this proves it answers. A failure names the version
      and quotes the apiserver.

  Each finding is printed as "problem", "warning" or "ok". Exit status 1 when there is a problem.

Examples
  crdconv check --crd crontabs.stable.example.com
  crdconv check --crd crontabs.stable.example.com --context staging --crds-dir deploy/crds
`;

/** `crdconv check`: compare the cluster's CRD with crds/, and read through the webhook. */
export function registerCheck(program: Command, deps: Partial<CheckCliDeps> = {}): void {
  const d = { ...defaultDeps, ...deps };
  program
    .command('check')
    .description('compare a CRD in the cluster with the generated one in crds/ and read one object per served version')
    .requiredOption('--crd <name>', 'the CRD, e.g. crontabs.stable.example.com')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('--crds-dir <dir>', 'directory of the generated CRD files', 'crds')
    .option('--no-read', 'do not read objects through the apiserver')
    .addOption(
      new Option('--output <format>', 'findings on stdout as text, or JSON (an array of {level, message})')
        .choices(['text', 'json'])
        .default('text'),
    )
    .addHelpText('after', CHECK_HELP)
    .action(async (flags: CheckFlags) => {
      d.setExitCode(await checkCommand(flags, d));
    });
}

/** Runs the check for parsed flags, prints the findings and returns the exit status. */
export async function checkCommand(flags: CheckFlags, d: CheckCliDeps): Promise<number> {
  const kc = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const findings = await runCheck(d.makeApi(kc), { crdName: flags.crd, crdsDir: flags.crdsDir, read: flags.read });
  d.stdout.write(flags.output === 'json' ? `${JSON.stringify(findings)}\n` : formatFindings(flags.crd, findings));
  return hasProblems(findings) ? 1 : 0;
}
