import YAML from 'yaml';
import { stringifyJson } from '../json/index.js';
import type { ManifestFile } from './documents.js';

/** A document after processing: unchanged ones keep their source text exactly. */
export interface OutputDocument {
  readonly value: unknown;
  readonly changed: boolean;
  readonly source?: string;
}

/** Serialize documents in the file's own format, order kept. */
export function renderManifest(
  file: Pick<ManifestFile, 'format' | 'list'>,
  documents: readonly OutputDocument[],
): string {
  if (file.format === 'json') {
    const values = documents.map((d) => d.value);
    const value = file.list || values.length !== 1 ? { apiVersion: 'v1', kind: 'List', items: values } : values[0];
    return `${prettyJson(value)}\n`;
  }
  return documents
    .map((d, i) => {
      if (!d.changed && d.source !== undefined) return ensureSeparator(d.source.replace(/\s*$/, '\n'), i);
      return (i === 0 ? '' : '---\n') + YAML.stringify(d.value, { lineWidth: 0 });
    })
    .join('');
}

const ensureSeparator = (source: string, i: number): string =>
  i === 0 || /^\s*---/.test(source) || /^(#.*\n|\s*\n)*---/.test(source) ? source : `---\n${source}`;

/** Indented JSON with exact integers: stringifyJson is compact, so indent its output token-wise. */
function prettyJson(value: unknown): string {
  const compact = stringifyJson(value);
  let out = '';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < compact.length; i++) {
    const ch = compact[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += compact[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      if (compact[i + 1] === close) {
        out += ch + close;
        i++;
      } else out += `${ch}\n${'  '.repeat(++depth)}`;
    } else if (ch === '}' || ch === ']') out += `\n${'  '.repeat(--depth)}${ch}`;
    else if (ch === ',') out += `,\n${'  '.repeat(depth)}`;
    else if (ch === ':') out += ': ';
    else out += ch;
  }
  return out;
}
