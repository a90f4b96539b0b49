import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGenerated } from './render.js';

/** How a directory of CRD files differs from what the generator writes now. */
export interface CrdDirDiff {
  /** Files the generator writes that the directory lacks. */
  readonly missing: string[];
  /** Files whose bytes differ. */
  readonly changed: string[];
  /** Files the generator wrote earlier for kinds that are gone. */
  readonly stale: string[];
  readonly unchanged: string[];
}

export const isClean = (d: CrdDirDiff): boolean => !d.missing.length && !d.changed.length && !d.stale.length;

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** YAML files in dir that carry the generator's marker: the only files it may remove. */
async function generatedFilesIn(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const found: string[] = [];
  for (const name of entries.filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const content = await readIfExists(join(dir, name));
    if (content !== undefined && isGenerated(content)) found.push(name);
  }
  return found;
}

/** Compare a directory with the files the generator would write there; touches nothing. */
export async function diffCrdDir(dir: string, files: ReadonlyMap<string, string>): Promise<CrdDirDiff> {
  const diff: CrdDirDiff = { missing: [], changed: [], stale: [], unchanged: [] };
  for (const [name, content] of files) {
    const existing = await readIfExists(join(dir, name));
    if (existing === undefined) diff.missing.push(name);
    else if (existing !== content) diff.changed.push(name);
    else diff.unchanged.push(name);
  }
  for (const name of await generatedFilesIn(dir)) if (!files.has(name)) diff.stale.push(name);
  return diff;
}

/**
 * Make a directory hold exactly the generated files: write the missing and changed ones (others
 * keep their modification time), remove generated files of kinds that are gone. Files without
 * the generator's marker are never touched: the directory may hold hand-written ones too.
 */
export async function syncCrdDir(dir: string, files: ReadonlyMap<string, string>): Promise<CrdDirDiff> {
  const diff = await diffCrdDir(dir, files);
  await mkdir(dir, { recursive: true });
  for (const name of [...diff.missing, ...diff.changed]) await writeFile(join(dir, name), files.get(name)!);
  for (const name of diff.stale) await rm(join(dir, name));
  return diff;
}
