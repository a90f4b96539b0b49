import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { JsonSyntaxError, parseJson } from '../json/index.js';
import { fromBigInt } from '../model/int.js';

/** One document of a manifest file: its parsed value and, for YAML, its exact source text. */
export interface ManifestDocument {
  readonly index: number;
  readonly value: unknown;
  /** The document's text as written (YAML only): untouched documents are written back as is. */
  readonly source?: string;
}

export interface ManifestFile {
  readonly path: string;
  readonly format: 'yaml' | 'json';
  /** A JSON `List` whose items are the documents. */
  readonly list?: boolean;
  readonly documents: readonly ManifestDocument[];
}

export class ManifestError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ManifestError';
  }
}

const MANIFEST = /\.(ya?ml|json)$/i;

/** The files behind `-f`: a file, every manifest under a directory (sorted), or `-` for stdin. */
export async function manifestPaths(target: string): Promise<string[]> {
  if (target === '-') return ['-'];
  const info = await stat(target).catch(() => {
    throw new ManifestError(target, 'no such file or directory');
  });
  if (!info.isDirectory()) return [target];
  const out: string[] = [];
  for (const entry of (await readdir(target, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(target, entry.name);
    if (entry.isDirectory()) out.push(...(await manifestPaths(path)));
    else if (MANIFEST.test(entry.name)) out.push(path);
  }
  return out;
}

export async function readManifest(path: string, stdin: () => Promise<string> = readStdin): Promise<ManifestFile> {
  const text = path === '-' ? await stdin() : await readFile(path, 'utf8');
  return parseManifest(path === '-' ? '(stdin)' : path, text);
}

/**
 * Parse multi-document YAML or JSON. Integers are read exactly (beyond 2^53 as bigint, as the
 * service does); a syntax error names the line and column; an empty file is an error.
 */
export function parseManifest(path: string, text: string): ManifestFile {
  if (text.trim() === '') throw new ManifestError(path, 'the file is empty: no documents to read');
  if (/\.json$/i.test(path) || (/^\s*[{[]/.test(text) && !/^\s*[{[][^\n]*\n---/m.test(text))) {
    try {
      const value = parseJson(text);
      return { path, format: 'json', list: isList(value), documents: jsonDocuments(value) };
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      if (/\.json$/i.test(path)) throw new ManifestError(path, `invalid JSON: ${e.message}`);
      // Not JSON after all: YAML is a superset, try that.
    }
  }
  const parsed = YAML.parseAllDocuments(text, { intAsBigInt: true, prettyErrors: true });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const documents: ManifestDocument[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      throw new ManifestError(
        path,
        `invalid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${error.message.split('\n')[0]}`,
      );
    }
    const value = canonicalIntegers(doc.toJS({ maxAliasCount: 100 }));
    if (value === null && doc.contents === null) continue; // an empty document (e.g. a trailing ---)
    const [start, , end] = doc.range;
    documents.push({ index: documents.length, value, source: text.slice(start, end) });
  }
  if (documents.length === 0) throw new ManifestError(path, 'the file holds no documents');
  return { path, format: 'yaml', documents };
}

/** A JSON file holds one object, or a `List` whose items are the documents. */
function isList(value: unknown): value is { items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown } | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.kind === 'string' &&
    v.kind.endsWith('List') &&
    Array.isArray(v.items)
  );
}

function jsonDocuments(value: unknown): ManifestDocument[] {
  return isList(value) ? value.items.map((item, index) => ({ index, value: item })) : [{ index: 0, value }];
}

/** YAML with intAsBigInt gives every integer as bigint; the service's form is number when exact. */
function canonicalIntegers(value: unknown): unknown {
  if (typeof value === 'bigint') return fromBigInt(value);
  if (Array.isArray(value)) return value.map(canonicalIntegers);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, {
        value: canonicalIntegers(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
