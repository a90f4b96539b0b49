#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerServe } from './serve.js';
import { registerCrds } from './crds.js';
import { registerConvert } from './convert.js';
import { registerValidate } from './validate.js';
import { registerMigrate } from './migrate.js';
import { registerCheck } from './check.js';

/** `crdconv`: the conversion webhook and the tools around it, one subcommand per file. */
export function buildProgram(): Command {
  const program = new Command('crdconv')
    .description('Typed, routed, lossless conversion for Kubernetes custom resources')
    .showHelpAfterError()
    .exitOverride();
  for (const register of [registerServe, registerCrds, registerConvert, registerValidate, registerMigrate, registerCheck]) {
    register(program);
  }
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
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      const e = err as { code?: string; exitCode?: number; message?: string };
      if (e.code?.startsWith('commander.')) process.exit(e.exitCode ?? 1);
      process.stderr.write(`crdconv: ${e.message ?? String(err)}\n`);
      process.exit(1);
    });
}
