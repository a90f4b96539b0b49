import { manifestPaths, readManifest, type ManifestFile } from '../manifests/documents.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `-f FILE|DIR|-`, repeatable, as kubectl has it. */
export const filenameOption = [
  '-f, --filename <path>',
  'manifest file, directory (recursively: *.yaml, *.yml, *.json) or - for stdin; repeatable',
  collect,
] as const;

export async function loadManifests(targets: readonly string[]): Promise<ManifestFile[]> {
  if (targets.length === 0) throw new Error('no input: give -f FILE, -f DIR or -f -');
  const files: ManifestFile[] = [];
  for (const target of targets) {
    const paths = await manifestPaths(target);
    if (paths.length === 0) throw new Error(`${target}: no *.yaml, *.yml or *.json files in this directory`);
    for (const path of paths) files.push(await readManifest(path));
  }
  return files;
}
