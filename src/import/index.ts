import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importCrd, readCrds, type ImportedKind, type ImportOptions } from './kind.js';

export { importCrd, readCrds, versionOrder, bodySchema, type ImportedKind, type ImportOptions } from './kind.js';
export { crdDifferences } from './compare.js';
export { converterSource, shape, describeType } from './converter.js';
export { CodecWriter, type ImportProblem } from './codec.js';

/** Every CRD of a YAML file, imported into `<out>/<Kind>/`; the folders written, with their problems. */
export async function importCrdFile(
  file: string,
  out: string,
  options: ImportOptions = {},
): Promise<Array<ImportedKind & { readonly dir: string }>> {
  const crds = readCrds(await readFile(file, 'utf8'), file);
  const results: Array<ImportedKind & { readonly dir: string }> = [];
  for (const crd of crds) {
    const imported = importCrd(crd, {
      source: options.source ?? file,
      ...(options.from ? { from: options.from } : {}),
    });
    const dir = join(out, imported.folder);
    await mkdir(dir, { recursive: true });
    for (const [name, content] of imported.files) await writeFile(join(dir, name), content);
    results.push({ ...imported, dir });
  }
  return results;
}
