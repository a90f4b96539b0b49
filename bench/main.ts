/**
 * `npm run bench`: the service against the floor of any Node conversion webhook, the floor of any
 * Go one, and controller-runtime serving the kubebuilder CronJob (issues 6 and 17).
 * Flags below; each also reads an environment variable (BENCH_*). `--help` lists them.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { comparisonCaveats, comparisonTable, resultsTable } from './report.js';
import { readResults, writeResults, type BenchResults } from './results.js';
import { runBench, WORKLOADS, type BenchOptions } from './run.js';
import type { Mode } from './servers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const number =
  (name: string, min: number, max: number, integer = true) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return n;
  };

const workloadList = (value: string): string[] => {
  const list = value
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  const unknown = list.filter((w) => !(WORKLOADS as readonly string[]).includes(w));
  if (unknown.length || list.length === 0)
    throw new InvalidArgumentError(`workloads are a comma-separated list of ${WORKLOADS.join(', ')}`);
  return list;
};

/** What --smoke sets, unless given explicitly: everything tiny, to check that the bench works. */
const SMOKE = {
  repetitions: 1,
  small: 10,
  big: 20,
  durationSeconds: 1,
  warmupSeconds: 0.2,
  concurrency: 32,
  singlePool: 8,
} as const;

interface Flags {
  smoke: boolean;
  mode: Mode;
  build: boolean;
  repetitions?: number;
  small?: number;
  big?: number;
  int64Share: number;
  duration?: number;
  warmup?: number;
  concurrency?: number;
  singlePool?: number;
  workloads: string[];
  goPeers: boolean;
  workers?: string;
  convertThreads?: string;
  outDir: string;
  compare?: string;
  with?: string;
  show?: string;
  cpuProf: boolean;
}

export function buildCommand(): Command {
  return new Command('bench')
    .description(
      'Measure the conversion webhook side by side with a Node floor (JSON.parse + JSON.stringify), a Go floor (encoding/json) and controller-runtime (the kubebuilder CronJob)',
    )
    .addOption(
      new Option(
        '--smoke',
        `tiny sizes to check the bench works (${SMOKE.small}/${SMOKE.big} objects, ${SMOKE.durationSeconds} s, 1 repetition)`,
      )
        .env('BENCH_SMOKE')
        .default(false),
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'compiled: node dist/... after npm run build (as the image runs it); tsx: the TypeScript sources through tsx',
      )
        .choices(['compiled', 'tsx'])
        .env('BENCH_MODE')
        .default('compiled'),
    )
    .addOption(new Option('--no-build', 'compiled mode: use dist/ as it is, without npm run build'))
    .addOption(
      new Option('--repetitions <n>', 'repetitions of every workload on each server; medians are reported [default: 3]')
        .env('BENCH_REPETITIONS')
        .argParser(number('--repetitions', 1, 1000)),
    )
    .addOption(
      new Option('--small <objects>', 'objects in the small review [default: 2000]')
        .env('BENCH_SMALL')
        .argParser(number('--small', 1, 1_000_000)),
    )
    .addOption(
      new Option('--big <objects>', 'objects in the big review (and the int64 one) [default: 20000]')
        .env('BENCH_BIG')
        .argParser(number('--big', 1, 1_000_000)),
    )
    .addOption(
      new Option('--int64-share <fraction>', "share of the big review's objects carrying integers beyond 2^53")
        .env('BENCH_INT64_SHARE')
        .default(0.01)
        .argParser(number('--int64-share', 0, 1, false)),
    )
    .addOption(
      new Option('--duration <seconds>', 'length of each single-object load run [default: 10]')
        .env('BENCH_DURATION')
        .argParser(number('--duration', 0.1, 3600, false)),
    )
    .addOption(
      new Option('--warmup <seconds>', 'single-object load on each server before measuring [default: 3]')
        .env('BENCH_WARMUP')
        .argParser(number('--warmup', 0, 3600, false)),
    )
    .addOption(
      new Option('--concurrency <clients>', 'keep-alive clients sending single-object reviews [default: 32]')
        .env('BENCH_CONCURRENCY')
        .argParser(number('--concurrency', 1, 10_000)),
    )
    .addOption(
      new Option('--single-pool <n>', 'distinct single-object reviews the clients cycle through [default: 64]')
        .env('BENCH_SINGLE_POOL')
        .argParser(number('--single-pool', 1, 100_000)),
    )
    .addOption(
      new Option('--workloads <list>', `which workloads to run (${WORKLOADS.join(',')})`)
        .env('BENCH_WORKLOADS')
        .default([...WORKLOADS], WORKLOADS.join(','))
        .argParser(workloadList),
    )
    .addOption(
      new Option(
        '--no-go-peers',
        'leave out the Go floor and controller-runtime (otherwise built from bench/peers/ with go, when their sources changed)',
      ),
    )
    .addOption(
      new Option('--workers <n>', 'crdconv serve --workers for the service (a number or auto) [default: its own]').env(
        'BENCH_WORKERS',
      ),
    )
    .addOption(
      new Option(
        '--convert-threads <n>',
        'crdconv serve --convert-threads for the service (a number or auto) [default: its own, auto]',
      ).env('BENCH_CONVERT_THREADS'),
    )
    .addOption(
      new Option('--out-dir <dir>', 'where the results JSON (and a profile) is written')
        .env('BENCH_OUT_DIR')
        .default(join(ROOT, 'bench', 'results'), 'bench/results'),
    )
    .addOption(new Option('--compare <file>', 'an earlier results JSON to compare this run with'))
    .addOption(new Option('--with <file>', 'with --compare: compare two results files, without running anything'))
    .addOption(new Option('--show <file>', 'print the table of a results file, without running anything'))
    .addOption(
      new Option(
        '--cpu-prof',
        'run the Node servers under node --cpu-prof, keep the profiles (*.cpuprofile in --out-dir) and print their hot spots (times then include the profiler)',
      ).default(false),
    )
    .showHelpAfterError();
}

function benchOptions(flags: Flags, progress: (line: string) => void): BenchOptions {
  const smoke = flags.smoke;
  return {
    root: ROOT,
    progress,
    mode: flags.mode,
    build: flags.build,
    smoke,
    cpuProfile: flags.cpuProf,
    repetitions: flags.repetitions ?? (smoke ? SMOKE.repetitions : 3),
    small: flags.small ?? (smoke ? SMOKE.small : 2000),
    big: flags.big ?? (smoke ? SMOKE.big : 20_000),
    int64Share: flags.int64Share,
    durationSeconds: flags.duration ?? (smoke ? SMOKE.durationSeconds : 10),
    warmupSeconds: flags.warmup ?? (smoke ? SMOKE.warmupSeconds : 3),
    concurrency: flags.concurrency ?? SMOKE.concurrency,
    singlePool: flags.singlePool ?? (smoke ? SMOKE.singlePool : 64),
    workloads: flags.workloads,
    goPeers: flags.goPeers,
    ...(flags.workers !== undefined && { workers: flags.workers }),
    ...(flags.convertThreads !== undefined && { convertThreads: flags.convertThreads }),
  };
}

function describeRun(r: BenchResults): string {
  const m = r.machine;
  const sizes = Object.entries(r.payloads)
    .map(
      ([k, p]) =>
        `${k} ${p.objects} objects ${(p.bytes / 2 ** 20).toFixed(p.bytes > 2 ** 20 ? 1 : 3)} MiB` +
        (p.int64Objects ? ` (${((p.int64Objects / p.objects) * 100).toFixed(0)}% with an integer > 2^53)` : ''),
    )
    .join(', ');
  const peers = r.peers
    ? `Go peers: ${r.peers.goVersion}; ` +
      Object.entries(r.peers.buildSeconds)
        .map(([k, v]) => `${k} ${v === null ? 'cached' : `built in ${v.toFixed(1)} s`}`)
        .join(', ')
    : 'Go peers: not run';
  return [
    `machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryMiB} MiB, Node ${m.node}, ${m.platform}; load average ${m.loadAverage.start.toFixed(1)} before the run, ` +
      `other processes ${Number.isFinite(m.otherCpuShare) ? `${(m.otherCpuShare * 100).toFixed(0)}%` : 'n/a'} of the CPU while measuring`,
    `run: ${r.config.mode} servers, medians of ${r.config.repetitions}, ${r.config.durationSeconds} s per load run, ${r.startedAt}` +
      (r.config.workers !== undefined ? `, crdconv serve --workers ${r.config.workers}` : '') +
      (r.config.convertThreads !== undefined ? `, --convert-threads ${r.config.convertThreads}` : '') +
      (r.code
        ? `, code ${r.code.commit}${r.code.dirty ? ' with uncommitted changes in src/ or converters/' : ''}`
        : ''),
    `payloads: ${sizes}`,
    peers,
  ].join('\n');
}

function printRun(results: BenchResults): void {
  process.stdout.write(`\n${describeRun(results)}\n\n${resultsTable(results.metrics)}\n`);
  for (const n of results.notes) process.stdout.write(`note: ${n}\n`);
  process.stdout.write(
    `\nanswers checked: ${Object.entries(results.validation)
      .map(([s, v]) => `${s}: ${v.join('; ')}`)
      .join(' | ')}\n`,
  );
}

function printComparison(before: BenchResults, beforeFile: string, after: BenchResults, afterName: string): void {
  process.stdout.write(
    `\nCompared with ${beforeFile} (${before.startedAt}) -> ${afterName}:\n${comparisonTable(before, after)}\n`,
  );
  for (const c of comparisonCaveats(before, after)) process.stdout.write(`note: ${c}\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const flags = buildCommand()
    .parse([...argv], { from: 'user' })
    .opts<Flags>();
  if (flags.with) {
    if (!flags.compare) throw new InvalidArgumentError('--with FILE needs --compare FILE');
    printComparison(readResults(flags.compare), flags.compare, readResults(flags.with), flags.with);
    return 0;
  }
  if (flags.show) {
    printRun(readResults(flags.show));
    return 0;
  }
  const earlier = flags.compare ? readResults(flags.compare) : undefined;
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const run = await runBench(benchOptions(flags, progress));
  const { results } = run;
  const out = resolve(flags.outDir);
  const file = writeResults(out, results);
  printRun(results);
  process.stdout.write(`results: ${file}\n`);
  for (const [server, profile] of Object.entries(run.profiles)) {
    mkdirSync(out, { recursive: true });
    const kept = join(out, `${basename(file, '.json')}.${server}.cpuprofile`);
    copyFileSync(profile.file, kept);
    process.stdout.write(`\n${server} CPU profile: ${kept}\n${profile.text}\n`);
  }
  if (earlier && flags.compare) printComparison(earlier, flags.compare, results, 'this run');
  return 0;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
