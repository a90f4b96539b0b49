/**
 * Reading a V8 CPU profile (`node --cpu-prof`, a .cpuprofile file): where the time went, by
 * function (self time) and, for the project's own code, including what each function calls.
 * `npm run bench -- --cpu-prof` profiles the service and prints this; it also runs alone:
 *   npx tsx bench/profile.ts FILE.cpuprofile [--top N]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { table } from './report.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export type Category = 'project' | 'dependencies' | 'node' | 'native' | 'gc' | 'idle';

export interface FunctionTime {
  readonly name: string;
  readonly location: string;
  readonly category: Category;
  readonly ms: number;
}

export interface ProfileSummary {
  /** Sampled time that was not idle. */
  readonly busyMs: number;
  readonly byCategory: Readonly<Record<Category, number>>;
  /** Self time, highest first, idle excluded. */
  readonly self: readonly FunctionTime[];
  /** Time including callees, for functions of the project (src/, converters/, bench/), highest first. */
  readonly total: readonly FunctionTime[];
}

/** Where a frame's code lives, relative to the repository root. */
function locate(url: string, root: string): string {
  if (!url.startsWith('file://')) return url;
  return relative(root, fileURLToPath(url));
}

function categorise(frame: CallFrame, location: string): Category {
  if (frame.functionName === '(idle)') return 'idle';
  if (frame.functionName === '(garbage collector)') return 'gc';
  if (location.includes('node_modules/')) return 'dependencies';
  if (/^(dist\/)?(src|converters|bench)\//.test(location)) return 'project';
  if (frame.url.startsWith('node:')) return 'node';
  return 'native';
}

export function summariseProfile(profile: CpuProfile, root: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample: it is charged to sample i.
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const describe = new Map<number, { key: string; name: string; location: string; category: Category }>();
  for (const n of profile.nodes) {
    const location = locate(n.callFrame.url, root);
    const name = n.callFrame.functionName || '(anonymous)';
    const where = location ? `${location}:${n.callFrame.lineNumber + 1}` : '';
    describe.set(n.id, { key: `${name} ${where}`, name, location: where, category: categorise(n.callFrame, location) });
  }

  const byCategory: Record<Category, number> = { project: 0, dependencies: 0, node: 0, native: 0, gc: 0, idle: 0 };
  const self = new Map<string, FunctionTime>();
  for (const [id, us] of selfUs) {
    const d = describe.get(id)!;
    byCategory[d.category] += us / 1000;
    if (d.category === 'idle') continue;
    const prev = self.get(d.key);
    self.set(d.key, { name: d.name, location: d.location, category: d.category, ms: (prev?.ms ?? 0) + us / 1000 });
  }

  // Inclusive time: each node's subtree, charged once per function on a path (recursion counted once).
  const subtreeUs = new Map<number, number>();
  const order: number[] = [];
  const root0 = profile.nodes[0];
  if (root0) {
    const stack = [root0.id];
    while (stack.length) {
      const id = stack.pop()!;
      order.push(id);
      for (const c of byId.get(id)?.children ?? []) stack.push(c);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let sum = selfUs.get(id) ?? 0;
    for (const c of byId.get(id)?.children ?? []) sum += subtreeUs.get(c) ?? 0;
    subtreeUs.set(id, sum);
  }
  const total = new Map<string, FunctionTime>();
  const active = new Map<string, number>();
  const walk = (id: number): void => {
    const d = describe.get(id)!;
    const project = d.category === 'project';
    if (project) {
      if (!active.get(d.key)) {
        const prev = total.get(d.key);
        total.set(d.key, {
          name: d.name,
          location: d.location,
          category: d.category,
          ms: (prev?.ms ?? 0) + (subtreeUs.get(id) ?? 0) / 1000,
        });
      }
      active.set(d.key, (active.get(d.key) ?? 0) + 1);
    }
    for (const c of byId.get(id)?.children ?? []) walk(c);
    if (project) active.set(d.key, active.get(d.key)! - 1);
  };
  if (root0) walk(root0.id);

  const sorted = (m: Map<string, FunctionTime>) => [...m.values()].sort((a, b) => b.ms - a.ms);
  const busyMs = Object.entries(byCategory).reduce((s, [k, v]) => (k === 'idle' ? s : s + v), 0);
  return { busyMs, byCategory, self: sorted(self), total: sorted(total) };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** The summary as text: categories, then the top functions by self time and by total time. */
export function formatProfile(summary: ProfileSummary, top = 20): string {
  const pct = (ms: number) => `${((ms / summary.busyMs) * 100).toFixed(1)}%`;
  const ms = (v: number) => v.toFixed(0);
  const categories = (Object.entries(summary.byCategory) as Array<[Category, number]>)
    .filter(([k]) => k !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${ms(v)} ms (${pct(v)})`)
    .join(', ');
  const rows = (list: readonly FunctionTime[]) =>
    list.slice(0, top).map((f) => [ms(f.ms), pct(f.ms), f.name, f.category, f.location]);
  return [
    `busy ${ms(summary.busyMs)} ms: ${categories}`,
    '',
    'Self time (the function itself):',
    table(['ms', 'busy', 'function', 'where', 'location'], rows(summary.self), [true, true, false, false, false]),
    '',
    "Total time of the project's functions (with everything they call):",
    table(['ms', 'busy', 'function', 'where', 'location'], rows(summary.total), [true, true, false, false, false]),
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: npx tsx bench/profile.ts FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const topAt = rest.indexOf('--top');
  const top = topAt >= 0 ? Number(rest[topAt + 1]) : 20;
  process.stdout.write(`${formatProfile(summariseProfile(readProfile(file), process.cwd()), top)}\n`);
}
