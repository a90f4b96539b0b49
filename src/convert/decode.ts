import type * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { guard } from '../interpreters/guard.js';
import { pathSegment } from '../json/path.js';
import { inspect, type CodecKind } from '../model/inspect.js';

/** One place where a value does not fit its codec: a JSON path, the expected type, what was there. */
export interface DecodeProblem {
  readonly path: string;
  readonly expected: string;
  /** The JSON type found (never the value: custom resources can hold secrets). */
  readonly found: string;
}

/** Check a value against a decoder; decoders here never transform, so success returns the input. */
export function decodeProblems(decoder: t.Mixed, value: unknown, root = ''): DecodeProblem[] {
  // The guard (the codec's `is`, compiled) allocates nothing; the decoder, which builds a context
  // for every field, only runs when there is something to report.
  if (guard(decoder)(value)) return [];
  const result = decoder.decode(value);
  if (!isLeft(result)) return [];
  const seen = new Set<string>();
  const problems: DecodeProblem[] = [];
  for (const error of result.left) {
    const problem = toProblem(error, root);
    if (seen.has(problem.path)) continue;
    seen.add(problem.path);
    problems.push(problem);
  }
  return problems;
}

/**
 * io-ts reports a context: one entry per codec on the way down. Keys under a union or an
 * intersection are member indexes, not JSON keys, so they are left out of the path; the
 * expected type is the codec that owns the last real path segment (for `string | null`, the
 * union, not each of its members).
 */
function toProblem(error: t.ValidationError, root: string): DecodeProblem {
  let path = root;
  let owner = error.context[0]?.type;
  const ctx = error.context;
  for (let i = 1; i < ctx.length; i++) {
    const parent = inspect(ctx[i - 1]!.type as t.Mixed).kind;
    if (parent === 'union' || parent === 'intersection') continue;
    const entry = ctx[i]!;
    path += segment(parent, entry.key);
    owner = entry.type;
  }
  return { path: path || '(root)', expected: owner?.name ?? 'unknown', found: jsonType(error.value) };
}

const segment = (parent: CodecKind, key: string): string =>
  pathSegment(parent === 'array' || parent === 'tuple' ? Number(key) : key);

export const jsonType = (value: unknown): string => {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

export const formatProblems = (problems: readonly DecodeProblem[], limit = 5): string => {
  const shown = problems.slice(0, limit).map((p) => `${p.path}: expected ${p.expected}, got ${p.found}`);
  const more = problems.length > limit ? `; and ${problems.length - limit} more` : '';
  return shown.join('; ') + more;
};
