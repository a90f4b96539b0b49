import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { convertDocuments } from '../manifests/convertDocuments.js';
import { renderManifest } from '../manifests/write.js';
import { kindsOption, registryFor } from './kinds.js';
import { filenameOption, loadManifests } from './manifestsInput.js';

/** `crdconv convert`: move manifests between versions offline, with the service's converters. */
export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert custom resources in manifests (multi-document YAML or JSON) to another version, offline')
    .option(...filenameOption)
    .requiredOption(
      '--to <version>',
      'target version (v1: every registered kind that has it; group/v1: that group only)',
    )
    .option('-o, --output <file>', 'write the result to this file instead of stdout')
    .option('-i, --in-place', 'rewrite each input file in place (files with errors are left alone)')
    .addOption(kindsOption())
    .addHelpText(
      'after',
      `
Documents of other kinds pass through untouched and document order is kept. Fields the target
version cannot hold are kept in the crdconv.io/stash annotation, exactly as the webhook does, so
converting back restores them. Exit status 1 if any resource could not be converted.

Examples:
  crdconv convert -f deploy/databases.yaml --to v1 > databases-v1.yaml
  crdconv convert --kinds dist/kinds/index.js -f widgets.yaml --to v1
  crdconv convert -f manifests/ --to platform.example.com/v1 --in-place
  kubectl get databases -o yaml | crdconv convert -f - --to v1beta1`,
    )
    .action(async (opts: { filename?: string[]; to: string; output?: string; inPlace?: boolean; kinds?: string }) => {
      if (opts.output && opts.inPlace) throw new Error('--output and --in-place exclude each other');
      const { registry } = await registryFor(opts.kinds);
      const files = await loadManifests(opts.filename ?? []);
      if (opts.inPlace && files.some((f) => f.path === '(stdin)')) throw new Error('--in-place cannot rewrite stdin');
      let problems = 0;
      let converted = 0;
      const outputs: string[] = [];
      for (const file of files) {
        const result = convertDocuments(registry, file, opts.to);
        problems += result.problems.length;
        converted += result.converted;
        for (const p of result.problems) process.stderr.write(`${p}\n`);
        const text = renderManifest(file, result.documents);
        if (opts.inPlace) {
          if (result.problems.length === 0 && result.converted > 0) await writeFile(file.path, text);
        } else outputs.push(text);
      }
      if (!opts.inPlace) {
        const text = outputs.join(files.every((f) => f.format === 'yaml') ? '---\n' : '');
        if (opts.output) await writeFile(opts.output, text);
        else process.stdout.write(text);
      }
      process.stderr.write(`crdconv convert: ${converted} converted, ${problems} failed, ${files.length} file(s)\n`);
      if (problems > 0) process.exitCode = 1;
    });
}
