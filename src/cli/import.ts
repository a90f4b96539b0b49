import type { Command } from 'commander';
import { basename } from 'node:path';
import { importCrdFile } from '../import/index.js';

interface ImportCliOptions {
  file: string;
  out: string;
  from: string;
}

/**
 * `crdconv import -f crd.yaml [--out DIR]`: each CustomResourceDefinition of the file becomes a
 * kind folder `<DIR>/<Kind>/` (codecs, converter skeletons, index). What the model cannot
 * express is listed with its path and reason, and the command exits 1: the folder is written
 * anyway, with a comment at each such spot.
 */
export function registerImport(
  program: Command,
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): void {
  program
    .command('import')
    .description('write a kind folder (codecs, converter skeletons, index) from an existing CustomResourceDefinition')
    .requiredOption('-f, --file <crd.yaml>', 'the CRD (YAML or JSON; every CRD of a multi-document file)')
    .option('--out <dir>', 'directory to write the kind folders into', 'converters')
    .option('--from <module>', 'module the generated files import crdconv from', 'crdconv')
    .action(async (options: ImportCliOptions) => {
      const results = await importCrdFile(options.file, options.out, {
        from: options.from,
        source: basename(options.file),
      });
      let problems = 0;
      for (const r of results) {
        print(`wrote ${r.dir}/ (${[...r.files.keys()].join(', ')})`);
        for (const note of r.notes) print(`  note: ${note}`);
        for (const p of r.problems) print(`  cannot express ${p.path}: ${p.reason}`);
        problems += r.problems.length;
      }
      if (problems) {
        throw new Error(
          `${problems} part(s) of the schema have no exact counterpart in the model (listed above); the rest was written`,
        );
      }
      print(
        `next: crdconv crds --kinds ${results[0]?.dir ?? options.out}/index.ts --out <dir>, then write the mappings in the converter files`,
      );
    });
}
