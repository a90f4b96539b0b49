#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * One file per subcommand, loaded only when needed: `crdconv serve` (every pod start) should not
 * pay for the Kubernetes client that `migrate` and `check` bring (about a second and 80 MiB).
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['serve', async () => (await import('./serve.js')).registerServe],
  ['crds', async () => (await import('./crds.js')).registerCrds],
  ['convert', async () => (await import('./convert.js')).registerConvert],
  ['validate', async () => (await import('./validate.js')).registerValidate],
  ['migrate', async () => (await import('./migrate.js')).registerMigrate],
  ['check', async () => (await import('./check.js')).registerCheck],
  ['import', async () => (await import('./import.js')).registerImport],
];

/**
 * `crdconv`: the conversion webhook and the tools around it. With `only`, just that subcommand
 * is registered (when it is one); otherwise all of them, for help and for tests.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('crdconv')
    .description('Typed, routed, lossless conversion for Kubernetes custom resources')
    .showHelpAfterError()
    .exitOverride();
  const wanted = COMMANDS.some(([name]) => name === only) ? COMMANDS.filter(([name]) => name === only) : COMMANDS;
  for (const [, load] of wanted) (await load())(program);
  return program;
}

/** True when this file is the program (directly, or through the npm bin symlink). */
const isMain = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();
if (isMain) {
  buildProgram(process.argv[2])
    .then((program) => program.parseAsync(process.argv))
    .catch((err: unknown) => {
      const e = err as { code?: string; exitCode?: number; message?: string };
      if (e.code?.startsWith('commander.')) process.exit(e.exitCode ?? 1);
      process.stderr.write(`crdconv: ${e.message ?? String(err)}\n`);
      process.exit(1);
    });
}
