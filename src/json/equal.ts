import { jsonValueOf } from './jsonValue.js';

/**
 * Deep equality of two values as JSON sees them: what they would serialize to, up to key order.
 * - a number and a bigint are equal when they are the same integer (exactly: 2**53 is not
 *   9007199254740993n); 0 and -0 are equal (both are written 0);
 * - arrays by order, an undefined element reading as null (as JSON.stringify writes it);
 * - object keys in any order; a key whose value is undefined (or a function) counts as absent,
 *   since JSON cannot hold it; null is a value, distinct from absent;
 * - toJSON and primitive wrappers as JSON.stringify applies them; NaN and Infinity read as null.
 * Iterative: deep values cannot exhaust the stack. Past the first few thousand containers, a
 * pair of objects met again (shared or circular structure) is not compared twice, so circular
 * values terminate too.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const pending: Array<[unknown, unknown]> = [[normalize(a, ''), normalize(b, '')]];
  const compared: Compared = new Map();
  let containers = 0;
  for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
    const [x, y] = pair;
    if (x === y) continue;
    if (isNumeric(x) && isNumeric(y)) {
      // Loose equality between a number and a bigint compares their mathematical values.
      if (x != y) return false;
      continue;
    }
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    // Remembering pairs costs more than the comparison itself; it only matters for circular
    // values, and those are still caught when remembering starts late.
    if (++containers > REMEMBER_AFTER && alreadyCompared(compared, x, y)) continue;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++)
        pending.push([normalize(x[i], String(i)) ?? null, normalize(y[i], String(i)) ?? null]);
      continue;
    }
    // Every present key of x must be present in y, and y must have no more present keys.
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    let present = 0;
    for (const key of Object.keys(xo)) {
      const xv = normalize(xo[key], key);
      if (xv === undefined) continue;
      const yv = hasOwn.call(yo, key) ? normalize(yo[key], key) : undefined;
      if (yv === undefined) return false;
      present++;
      pending.push([xv, yv]);
    }
    if (presentCount(yo) !== present) return false;
  }
  return true;
}

const hasOwn = Object.prototype.hasOwnProperty;

const REMEMBER_AFTER = 4096;

/** jsonValueOf, with non-finite numbers as the null JSON writes for them. */
function normalize(v: unknown, key: string): unknown {
  const j = jsonValueOf(v, key);
  return typeof j === 'number' && !Number.isFinite(j) ? null : j;
}

const isNumeric = (v: unknown): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';

/** How many keys have values with a JSON form. */
function presentCount(o: Record<string, unknown>): number {
  let n = 0;
  for (const key of Object.keys(o)) if (normalize(o[key], key) !== undefined) n++;
  return n;
}

/** For each object of `a`, the object of `b` it was compared with, or several. */
type Compared = Map<object, object | Partners>;

/** Several partners (a class of its own, so that no compared value can pass for one). */
class Partners {
  constructor(readonly objects: Set<object>) {}
}

function alreadyCompared(compared: Compared, x: object, y: object): boolean {
  const seen = compared.get(x);
  if (seen === undefined) {
    compared.set(x, y);
    return false;
  }
  if (seen === y) return true;
  if (seen instanceof Partners) {
    if (seen.objects.has(y)) return true;
    seen.objects.add(y);
    return false;
  }
  compared.set(x, new Partners(new Set([seen, y])));
  return false;
}
