/**
 * Stash work against stash size (issue 15, part 3): `npx tsx bench/stash.ts`. Prints the time to
 * convert objects carrying big stashes, and the hot path of ordinary objects. Not a test: the
 * unit tests bound the work by counting it (test/convert/stash.test.ts).
 */
import { registry } from '../converters/index.js';
import { convertObject } from '../src/convert/convertObject.js';
import { fingerprint, STASH_ANNOTATION } from '../src/convert/stash.js';
import { parseJson, stringifyJson } from '../src/json/index.js';
import { backendV1, cronJobV1, databaseV1, databaseV1alpha1 } from '../test/support/objects.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a bench pokes at plain JSON
type Obj = Record<string, any>;
const wire = (o: unknown) => parseJson(stringifyJson(o)) as Obj;
const time = (label: string, runs: number, f: () => void) => {
  f();
  const best: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) f();
    best.push(Number(process.hrtime.bigint() - t0) / runs / 1e3);
  }
  best.sort((a, b) => a - b);
  const fmt = (us: number) => (us > 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(2)} us`);
  console.log(`${label.padEnd(58)} best ${fmt(best[0]!)}, median ${fmt(best[2]!)}`);
};

/** A v1alpha1 Database whose spec.parameters has `n` keys and whose stash (origin v1) has an entry for each. */
function stashed(n: number, valueBytes: number, specPadding = 0) {
  const o = wire(databaseV1alpha1('db'));
  const parameters: Record<string, string> = {};
  for (let i = 0; i < n; i++) parameters[`key-${i}`] = 'p';
  o.spec.parameters = parameters;
  if (specPadding) o.spec.users = Array.from({ length: specPadding }, (_, i) => ({ name: `user-${i}`, roles: ['r'] }));
  const entries = Object.keys(parameters).map((k) => ({
    p: ['spec', 'parameters', k],
    v: 'v'.repeat(valueBytes),
    h: fingerprint('p'),
  }));
  const stash = stringifyJson({ v: 1, origin: 'v1', entries });
  o.metadata.annotations = { [STASH_ANNOTATION]: stash };
  return { o, bytes: stash.length, size: stringifyJson(o).length };
}

const run = (label: string, o: unknown, to: string, runs: number) =>
  time(label, runs, () => {
    const r = convertObject(registry, o, to);
    if (!r.ok) throw new Error(r.failure.message);
  });

/** The same object without its stash: what converting it costs anyway, the baseline for the stash's share. */
const unstashed = (o: Obj): Obj => ({ ...o, metadata: { ...o.metadata, annotations: {} } });

// The case: a stash just under the apiserver's 256 KiB limit on all annotations (an
// object carrying more is never stored), and one half again as big, to show the growth.
for (const entries of [2600, 4000]) {
  const big = stashed(entries, 30);
  const bigLabel = `${Math.round(big.bytes / 1024)} KiB stash of ${entries} entries`;
  run(`v1alpha1 -> v1beta1, ${bigLabel}`, big.o, 'platform.example.com/v1beta1', 10);
  run(`  the same object without its stash`, unstashed(big.o), 'platform.example.com/v1beta1', 3);
}
const wide = stashed(1500, 8, 20000);
run(
  `v1alpha1 -> v1beta1, 1500 entries on a ${(wide.size / 1e6).toFixed(1)} MB object`,
  wide.o,
  'platform.example.com/v1beta1',
  3,
);
run(`  the same object without its stash`, unstashed(wide.o), 'platform.example.com/v1beta1', 3);
const first = convertObject(registry, wire(databaseV1('db')), 'platform.example.com/v1alpha1');
if (!first.ok) throw new Error(first.failure.message);
const written = wire(first.object);
for (const [label, o, to] of [
  ['hot path: Database v1alpha1 -> v1', databaseV1alpha1('db'), 'platform.example.com/v1'],
  ['hot path: Database v1 -> v1alpha1 (stash written)', databaseV1('db'), 'platform.example.com/v1alpha1'],
  ['hot path: Database v1alpha1 (stash) -> v1 (restored)', written, 'platform.example.com/v1'],
  ['hot path: Backend v1 -> v2', backendV1('w', 'localhost:8080'), 'stable.example.com/v2'],
  ['hot path: CronJob v1 -> v2', cronJobV1('c', '*/5 1 * * 1-5'), 'batch.tutorial.kubebuilder.io/v2'],
] as const)
  run(label, wire(o), to, 20000);
