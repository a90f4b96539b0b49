/**
 * What makes a generated value JSON-clean in the canonical form the lossless parser produces:
 * returns a description of every place that is not, so a failing test says where.
 */
export function jsonProblems(v: unknown, path = '$'): string[] {
  if (v === null || typeof v === 'boolean') return [];
  if (typeof v === 'string') return /\p{Cs}/u.test(v) ? [`${path}: lone surrogate`] : [];
  if (typeof v === 'bigint') {
    return v >= BigInt(-Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? [`${path}: bigint ${v} within the safe range (should be a number)`]
      : [];
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return [`${path}: ${v}`];
    if (Object.is(v, -0)) return [`${path}: -0`];
    // Written as digits (below 1e21) it would parse back as a bigint.
    if (Number.isInteger(v) && !Number.isSafeInteger(v) && Math.abs(v) < 1e21) {
      return [`${path}: integer ${v} beyond the safe range as a number`];
    }
    return [];
  }
  if (Array.isArray(v)) {
    const problems: string[] = [];
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) problems.push(`${path}[${i}]: hole`);
      else problems.push(...jsonProblems(v[i], `${path}[${i}]`));
    }
    return problems;
  }
  if (typeof v === 'object') {
    const problems: string[] = [];
    if (Object.getPrototypeOf(v) !== Object.prototype) problems.push(`${path}: prototype is not Object.prototype`);
    if (Object.getOwnPropertySymbols(v).length > 0) problems.push(`${path}: symbol keys`);
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(v))) {
      const at = `${path}[${JSON.stringify(k)}]`;
      if (!('value' in d) || !d.enumerable) problems.push(`${at}: not an enumerable data property`);
      else if (d.value === undefined) problems.push(`${at}: undefined`);
      else problems.push(...jsonProblems(d.value, at));
    }
    return problems;
  }
  return [`${path}: ${typeof v}`];
}

/** Every own key of every object inside a value. */
export function allKeys(v: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(v)) v.forEach((e) => allKeys(e, into));
  else if (typeof v === 'object' && v !== null) {
    for (const [k, e] of Object.entries(v)) {
      into.add(k);
      allKeys(e, into);
    }
  }
  return into;
}

/** JSON.stringify that can show bigints, for failure messages. */
export const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

/** Settings from the environment: FC_NUM_RUNS (default 100 here) and FC_SEED. */
export const fcParameters = (defaultRuns = 100): { numRuns: number; seed?: number } => {
  const runs = Number(process.env['FC_NUM_RUNS'] ?? defaultRuns);
  const seed = process.env['FC_SEED'];
  return { numRuns: runs, ...(seed !== undefined && seed !== '' && { seed: Number(seed) }) };
};
