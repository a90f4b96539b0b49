import type { Command } from 'commander';
import { validateDocuments } from '../manifests/validateDocuments.js';
import { kindsOption, registryFor } from './kinds.js';
import { filenameOption, loadManifests } from './manifestsInput.js';

/** `crdconv validate`: check manifests against their version's model, strictly. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      "check custom resources in manifests against their version's model (required fields and bounds included)",
    )
    .option(...filenameOption)
    .addOption(kindsOption())
    .addHelpText(
      'after',
      `
Prints one line per problem: FILE#DOCUMENT Kind namespace/name: JSON path: what is wrong.
Documents of kinds that no converter serves are skipped. Exit status 1 if anything is wrong.

Example:
  crdconv validate -f deploy/
  crdconv validate --kinds dist/kinds/index.js -f manifests/`,
    )
    .action(async (opts: { filename?: string[]; kinds?: string }) => {
      const { registry } = await registryFor(opts.kinds);
      const files = await loadManifests(opts.filename ?? []);
      let problems = 0;
      let checked = 0;
      let skipped = 0;
      for (const file of files) {
        const report = validateDocuments(registry, file);
        for (const p of report.problems) process.stdout.write(`${p}\n`);
        problems += report.problems.length;
        checked += report.checked;
        skipped += report.skipped;
      }
      process.stderr.write(
        `crdconv validate: ${checked} resource(s) checked, ${skipped} of other kinds skipped, ${problems} problem(s)\n`,
      );
      if (problems > 0) process.exitCode = 1;
    });
}
