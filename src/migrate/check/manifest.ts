import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Json = Record<string, unknown>;

export interface CrdManifest {
  readonly file: string;
  readonly crd: Json;
}

const isCrdNamed = (doc: unknown, name: string): doc is Json => {
  const d = doc as { kind?: unknown; metadata?: { name?: unknown } } | null;
  return d?.kind === 'CustomResourceDefinition' && d.metadata?.name === name;
};

/** Every YAML document in a file, as plain JSON values; a syntax error names the file. */
function documents(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? 'YAML error'}`);
    out.push(doc.toJSON());
  }
  return out;
}

/**
 * The generated CRD named `name` in `dir`: `<dir>/<name>.yaml`, as `crdconv crds` writes it, or
 * else any `*.yaml` / `*.yml` file of the directory that holds it. Undefined when none does.
 */
export function findCrdManifest(dir: string, name: string): CrdManifest | undefined {
  if (!existsSync(dir)) return undefined;
  const preferred = join(dir, `${name}.yaml`);
  const files = [
    preferred,
    ...readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(dir, f))
      .filter((f) => f !== preferred),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const crd = documents(file).find((d) => isCrdNamed(d, name));
    if (crd) return { file, crd };
  }
  return undefined;
}
