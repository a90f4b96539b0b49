/**
 * One bench run: build, start every server, warm them up, then every workload in every
 * repetition on the service and then on each peer that serves its kind (interleaved, so drift in
 * the machine's load hits all alike), every answer checked; medians, ratios, verdicts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createDevCertificates } from '../src/server/tls/devCert.js';
import { Connection, prepareReview, type Prepared, type Target } from './client.js';
import { requestWithin, runLoad, type LoadResult } from './load.js';
import {
  isLoad,
  metricsFor,
  serversOf,
  summarise,
  WORKLOADS,
  type MetricKey,
  type Sizes,
  type Workload,
} from './metrics.js';
import { median } from './stats.js';
import { CRON_DESIRED_API_VERSION, cronJobCases } from './cronjobs.js';
import { generatedCases } from './generated.js';
import {
  databaseCases,
  reviewPayload,
  SEEDS,
  singleObjectPayloads,
  withInt64,
  type ReviewPayload,
} from './payloads.js';
import { buildPeers, type PeerBuilds } from './peers.js';
import { formatProfile, readProfile, summariseProfile } from './profile.js';
import {
  codeVersion,
  currentLoad,
  describeMachine,
  machineCpuMs,
  type BenchResults,
  type RunConfig,
} from './results.js';
import { isCrdconv, SERVERS, startServer, type ServerName, type ServerProcess } from './servers.js';
import { CHECKED, checkAnswer } from './validate.js';

export { WORKLOADS, type Workload } from './metrics.js';

export interface BenchOptions extends RunConfig {
  readonly root: string;
  /** Run `npm run build` and compile the floor first (compiled mode). */
  readonly build: boolean;
  /** How many distinct single-object reviews the clients cycle through. */
  readonly singlePool: number;
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
  /** Run the Go peers (built from bench/peers/ when their sources changed); they are left out when `go` is missing. */
  readonly goPeers: boolean;
}

export interface BenchRun {
  readonly results: BenchResults;
  /** Each server's CPU profile and its summary, with --cpu-prof. */
  readonly profiles: Partial<Record<ServerName, { readonly file: string; readonly text: string }>>;
}

/** The service's default body limit (`crdconv serve --max-request-bytes`); a bigger review raises it (and the results say so). */
const SERVICE_DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const REVIEW_TIMEOUT_MS = 120_000;
const MIB = 1024;

type Samples = Partial<Record<MetricKey, Partial<Record<ServerName, number[]>>>>;
type ReviewWorkload = Exclude<Workload, 'single' | 'cron-single' | 'cores'>;

export async function runBench(options: BenchOptions): Promise<BenchRun> {
  const startedAt = new Date();
  const loadAtStart = currentLoad();
  const code = codeVersion(options.root);
  const { progress } = options;
  const workloads = new Set(options.workloads as readonly Workload[]);
  const notes: string[] = [];
  if (options.mode === 'compiled' && options.build) build(options.root, progress);
  let peerBuilds: PeerBuilds | undefined;
  if (options.goPeers) {
    peerBuilds = buildPeers(options.root, progress);
    if (!peerBuilds) notes.push('no `go` on the PATH: the Go floor and controller-runtime were left out');
  }
  const available: ServerName[] = SERVERS.filter((s) => isCrdconv(s) || s === 'floor' || peerBuilds !== undefined);
  // Without controller-runtime the CronJob workloads still compare crdconv with both floors.

  const workDir = mkdtempSync(join(tmpdir(), 'crdconv-bench-'));
  const certDir = join(workDir, 'certs');
  const certs = await createDevCertificates(certDir);

  progress('generating payloads');
  const reviews = makeReviews(options, workloads);
  const largest = Math.max(0, ...Object.values(reviews).map((r) => r?.body.length ?? 0));
  // The service keeps its production default unless a review would not fit.
  const maxRequestBytes = largest > SERVICE_DEFAULT_MAX_BYTES ? largest : undefined;
  if (maxRequestBytes)
    notes.push(
      `the service ran with --max-request-bytes ${maxRequestBytes} (its default, 64 MiB, is less than the review)`,
    );
  const singles: Partial<Record<Workload, ReviewPayload[]>> = {};
  if (workloads.has('single')) singles.single = singleObjectPayloads(options.singlePool);
  // The same reviews as `single`, on two processes (see coresMetrics).
  if (workloads.has('cores')) singles.cores = singles.single ?? singleObjectPayloads(options.singlePool);
  if (workloads.has('cron-single'))
    singles['cron-single'] = cronJobCases(SEEDS.cronSingle, options.singlePool).map((c, i) =>
      reviewPayload('cron-single', i, [c], 'cronjob', CRON_DESIRED_API_VERSION),
    );

  const profileDir = join(workDir, 'profile');
  const servers: Partial<Record<ServerName, ServerProcess>> = {};
  const reviewConnections: Partial<Record<ServerName, Connection>> = {};
  const used = available.filter((s) => [...workloads].some((w) => serversOf(w, available).includes(s)));
  let failed = false;
  /** What was running, for the message of a failed run. */
  let stage = 'start-up';
  try {
    for (const name of used) {
      servers[name] = await startServer(name, {
        mode: options.mode,
        root: options.root,
        certDir,
        workDir,
        ...(maxRequestBytes !== undefined && { maxRequestBytes }),
        ...(options.cpuProfile &&
          (name === 'service' || name === 'floor') && {
            nodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)],
          }),
        ...(peerBuilds && {
          binaries: Object.fromEntries(Object.entries(peerBuilds.peers).map(([k, v]) => [k, v.binary])),
        }),
        ...(options.workers !== undefined && { workers: options.workers }),
        ...(options.convertThreads !== undefined && { convertThreads: options.convertThreads }),
      });
      progress(`${name} listening on ${servers[name]!.port} (pid ${servers[name]!.pid}): ${servers[name]!.command}`);
    }
    // Before any review: what loading the program costs (read now, recorded with the samples below).
    const idleMiB = Object.fromEntries(used.map((s) => [s, (servers[s]!.memory()?.currentKiB ?? NaN) / MIB]));
    const targets = Object.fromEntries(used.map((s) => [s, { port: servers[s]!.port, ca: certs.ca }])) as Record<
      ServerName,
      Target
    >;
    for (const s of used) reviewConnections[s] = await Connection.open(targets[s]);

    const validation: Partial<Record<ServerName, string[]>> = {};
    for (const s of used) validation[s] = [];
    /** The first answer to each review, once checked: later answers must be the same bytes (or pass the check again). */
    const checked = new Map<string, Buffer>();
    /**
     * The server's review connection, opened again if the server closed it while it was idle (as
     * a keep-alive client such as the apiserver does); a close during a request fails the run.
     */
    const connection = async (server: ServerName): Promise<Connection> => {
      if (reviewConnections[server]!.closed) {
        reviewConnections[server] = await Connection.open(targets[server]);
        if (!notes.some((n) => n.startsWith(`${server} closed`)))
          notes.push(`${server} closed an idle keep-alive connection of the bench; it was opened again`);
      }
      return reviewConnections[server]!;
    };
    const review = async (
      server: ServerName,
      label: string,
      payload: ReviewPayload,
    ): Promise<{ ms: number; peakMiB: number }> => {
      const proc = servers[server]!;
      // The bench's own garbage (the last answer checked, 50 MiB and more) collected now, not
      // while it sends or reads the next timed review.
      collectGarbage();
      const reset = proc.resetPeak();
      const answer = await requestWithin(
        await connection(server),
        prepareReview(payload.body, targets[server].port),
        REVIEW_TIMEOUT_MS,
      );
      const memory = proc.memory();
      const key = `${server} ${label}`;
      if (!checked.get(key)?.equals(answer.body)) {
        checkAnswer[server](payload, answer.status, answer.body);
        if (!checked.has(key)) validation[server]!.push(`${label}: ${payload.cases.length} objects ${CHECKED[server]}`);
        checked.set(key, answer.body);
      }
      if (!reset && !notes.some((n) => n.startsWith('peak RSS')))
        notes.push(
          'peak RSS could not be reset per review (/proc/PID/clear_refs): it is the peak since the server started',
        );
      return { ms: answer.ms, peakMiB: memory ? memory.peakKiB / MIB : NaN };
    };

    // What the bench and its servers use, to tell the CPU others used during the measurements.
    const ourCpuMs = () => {
      const self = process.cpuUsage();
      return (self.user + self.system) / 1000 + used.reduce((sum, s) => sum + servers[s]!.cpuMs(), 0);
    };
    const machineAtStart = machineCpuMs();
    const oursAtStart = ourCpuMs();

    const singleRequests: Partial<
      Record<Workload, Partial<Record<ServerName, Array<{ prepared: Prepared; answerBytes: number }>>>>
    > = {};
    progress('warming up');
    for (const server of used) {
      stage = `${server} warm-up`;
      if (reviews.small && serversOf('small', available).includes(server))
        for (let i = 0; i < 3; i++) await review(server, 'small', reviews.small);
      if (reviews.cron && serversOf('cron', available).includes(server))
        for (let i = 0; i < 2; i++) await review(server, 'cron', reviews.cron);
      for (const [w, payloads] of Object.entries(singles) as Array<[Workload, ReviewPayload[]]>) {
        if (!serversOf(w, available).includes(server)) continue;
        const list: Array<{ prepared: Prepared; answerBytes: number }> = [];
        for (const payload of payloads) {
          const prepared = prepareReview(payload.body, targets[server].port);
          const answer = await requestWithin(await connection(server), prepared, REVIEW_TIMEOUT_MS);
          checkAnswer[server](payload, answer.status, answer.body);
          list.push({ prepared, answerBytes: answer.body.length });
        }
        (singleRequests[w] ??= {})[server] = list;
        validation[server]!.push(
          `${w}: each of ${payloads.length} single-object reviews checked once, then every answer's status and length`,
        );
        if (options.warmupSeconds > 0)
          await runLoad(targets[server], {
            concurrency: options.concurrency,
            durationMs: options.warmupSeconds * 1000,
            requests: list,
          });
      }
    }

    const samples: Samples = {};
    const record = (key: MetricKey, server: ServerName, value: number) => {
      ((samples[key] ??= {})[server] ??= []).push(value);
    };
    for (const s of used) record('idle.rss', s, idleMiB[s]!);
    let wrongAnswers = 0;
    const clientShares: Partial<Record<ServerName, number[]>> = {};
    for (let rep = 1; rep <= options.repetitions; rep++) {
      for (const workload of WORKLOADS) {
        if (!workloads.has(workload)) continue;
        for (const server of serversOf(workload, available)) {
          stage = `${server} ${workload} (repetition ${rep})`;
          const prefix = `rep ${rep}/${options.repetitions} ${workload.padEnd(11)} ${server.padEnd(18)}`;
          if (isLoad(workload)) {
            const cpuBefore = servers[server]!.cpuMs();
            const r: LoadResult = await runLoad(targets[server], {
              concurrency: options.concurrency,
              durationMs: options.durationSeconds * 1000,
              requests: singleRequests[workload]![server]!,
            });
            const cpuUs = ((servers[server]!.cpuMs() - cpuBefore) * 1000) / r.requests;
            record(`${workload}.rps`, server, r.perSecond);
            record(`${workload}.p50`, server, r.p50);
            record(`${workload}.p99`, server, r.p99);
            record(`${workload}.cpu`, server, cpuUs);
            wrongAnswers += r.wrong;
            (clientShares[server] ??= []).push(r.clientCpuShare);
            progress(
              `${prefix} ${Math.round(r.perSecond)} req/s (${r.requests} in ${r.seconds.toFixed(1)} s), p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ` +
                `server CPU ${cpuUs.toFixed(0)} us/review, load generator ${(r.clientCpuShare * 100).toFixed(0)}% of a CPU${r.wrong ? `, ${r.wrong} WRONG` : ''}`,
            );
          } else {
            const cpuBefore = servers[server]!.cpuMs();
            const r = await review(server, workload, reviews[workload as ReviewWorkload]!);
            const cpuMs = servers[server]!.cpuMs() - cpuBefore;
            record(`${workload}.ms`, server, r.ms);
            record(`${workload}.cpu`, server, cpuMs);
            record(`${workload}.rss`, server, r.peakMiB);
            progress(
              `${prefix} ${r.ms.toFixed(1)} ms, server CPU ${cpuMs.toFixed(0)} ms, peak RSS ${r.peakMiB.toFixed(0)} MiB`,
            );
          }
          if (!servers[server]!.alive())
            throw new Error(`${server} died during ${workload}; see ${servers[server]!.logFile}`);
        }
      }
    }
    if (wrongAnswers) throw new Error(`${wrongAnswers} single-object answers were not HTTP 200 with the right length`);
    const floorClient = median(clientShares.floor ?? []);
    if (floorClient > 0.85) {
      notes.push(
        `the load generator used ${(floorClient * 100).toFixed(0)}% of a CPU while loading the floor: the floor's throughput may be limited by the client, which flatters the service's throughput ratio`,
      );
    }
    const coresNote = twoCpuEstimate(samples);
    if (coresNote) notes.push(coresNote);
    if (workloads.has('cores') && options.workers !== undefined && options.workers !== '1')
      notes.push(
        `the cores workload compared crdconv --workers 2 with the service as this run started it (--workers ${options.workers}), not with one process: its /crdconv ratio is not the two-CPU target's`,
      );
    if (used.includes('go-floor') || used.includes('controller-runtime'))
      notes.push(
        'the Go servers run with GOMAXPROCS at its default (every CPU of the machine), as they would in a pod without a CPU limit; the Node floor uses one core for JavaScript',
      );

    const machineAtEnd = machineCpuMs();
    const otherCpuShare =
      machineAtStart && machineAtEnd
        ? Math.max(
            0,
            (machineAtEnd.busy - machineAtStart.busy - (ourCpuMs() - oursAtStart)) /
              (machineAtEnd.total - machineAtStart.total),
          )
        : NaN;
    for (const s of used) reviewConnections[s]?.close();
    const exits = await stopAll(servers);
    for (const s of used) if (exits[s] !== 0) notes.push(`${s} exited with ${String(exits[s])} when stopped`);

    const sizes: Sizes = {
      small: options.small,
      big: options.big,
      int64Share: options.int64Share,
      concurrency: options.concurrency,
    };
    const metrics = metricsFor([...workloads])
      .filter((m) => samples[m.key])
      .map((m) => summarise(m, sizes, samples[m.key]!));
    const machine = describeMachine(loadAtStart, otherCpuShare);
    if (otherCpuShare > 0.1) {
      notes.push(
        `other processes used ${(otherCpuShare * 100).toFixed(0)}% of the machine's CPU while measuring: the ratios (interleaved runs) are more trustworthy than the absolute numbers`,
      );
    }
    if (options.cpuProfile) notes.push('the Node servers ran under --cpu-prof: their times include the profiler');
    const { config } = configOf(options);
    const payloadInfo = (p: ReviewPayload) => ({
      objects: p.cases.length,
      bytes: p.body.length,
      int64Objects: p.cases.filter((c) => c.int64).length,
    });
    const results: BenchResults = {
      schema: 'crdconv-bench/2',
      ...(code && { code }),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      config,
      servers: Object.fromEntries(used.map((s) => [s, { command: servers[s]!.command }])),
      payloads: Object.fromEntries([
        ...Object.entries(reviews).map(([k, r]) => [k, payloadInfo(r!)]),
        ...(Object.entries(singles) as Array<[Workload, ReviewPayload[]]>).map(([w, list]) => [
          w,
          { objects: 1, bytes: Math.round(list.reduce((s, p) => s + p.body.length, 0) / list.length) },
        ]),
      ]),
      metrics,
      validation,
      notes,
      ...(peerBuilds && {
        peers: {
          goVersion: peerBuilds.goVersion,
          buildSeconds: Object.fromEntries(
            Object.entries(peerBuilds.peers).map(([k, v]) => [k, v.buildSeconds ?? null]),
          ),
        },
      }),
    };
    const profiles: BenchRun['profiles'] = {};
    if (options.cpuProfile) {
      for (const s of ['service', 'floor'] as const) {
        const summary = summariseServerProfile(join(profileDir, s), options.root, s === 'service' ? 25 : 12);
        if (summary) profiles[s] = summary;
      }
    }
    return { results, profiles };
  } catch (e) {
    // "The server closed the connection" says little on its own: say whether each server still
    // runs, and what it logged last, before they are stopped and their logs removed.
    const states = SERVERS.flatMap((s) => (servers[s] ? [servers[s]!.describe()] : []));
    if (e instanceof Error) e.message = `${stage}: ${e.message}`;
    if (e instanceof Error && states.length)
      e.message += `\n${states.join('\n')}\nThe servers' whole logs are kept in ${workDir}.`;
    failed = true;
    throw e;
  } finally {
    for (const s of SERVERS) reviewConnections[s]?.close();
    await stopAll(servers);
    if (!options.cpuProfile && !failed) rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * What two CPUs given to crdconv alone would serve, against one: the throughput ratio of the
 * `cores` workload also has the load generator on the same cores, so the CPU each review costs on
 * one process and on two gives the estimate (each process converting on a CPU of its own).
 */
function twoCpuEstimate(samples: Samples): string | undefined {
  const cpu = samples['cores.cpu'];
  const one = median(cpu?.service ?? []);
  const two = median(cpu?.['service-2'] ?? []);
  if (!(one > 0 && two > 0)) return undefined;
  return (
    `two CPUs, from the CPU per review of the cores workload (${one.toFixed(0)} us on one process, ${two.toFixed(0)} us on two, primary included): ` +
    `crdconv --workers 2 with two CPUs of its own would serve about ${((2 * one) / two).toFixed(2)}x what one process on one CPU serves; ` +
    `the measured throughput ratio is lower where the load generator shares the cores`
  );
}

function configOf(options: BenchOptions): { config: RunConfig } {
  const {
    workers,
    convertThreads,
    mode,
    repetitions,
    small,
    big,
    int64Share,
    concurrency,
    durationSeconds,
    warmupSeconds,
    workloads,
    smoke,
    cpuProfile,
  } = options;
  return {
    config: {
      mode,
      repetitions,
      small,
      big,
      int64Share,
      concurrency,
      durationSeconds,
      warmupSeconds,
      workloads,
      smoke,
      cpuProfile,
      ...(workers !== undefined && { workers }),
      ...(convertThreads !== undefined && { convertThreads }),
    },
  };
}

function makeReviews(
  options: BenchOptions,
  workloads: ReadonlySet<Workload>,
): Partial<Record<ReviewWorkload, ReviewPayload>> {
  const out: Partial<Record<ReviewWorkload, ReviewPayload>> = {};
  // The small review also warms the servers up, so it is always made.
  out.small = reviewPayload('small', 0, databaseCases(SEEDS.small, options.small));
  if (workloads.has('big') || workloads.has('int64')) {
    const big = databaseCases(SEEDS.big, options.big);
    if (workloads.has('big')) out.big = reviewPayload('big', 0, big);
    if (workloads.has('int64')) out.int64 = reviewPayload('int64', 0, withInt64(SEEDS.int64, big, options.int64Share));
  }
  if (workloads.has('gen')) out.gen = reviewPayload('gen', 0, generatedCases(SEEDS.gen, options.small), 'generated');
  if (workloads.has('gen-big'))
    out['gen-big'] = reviewPayload('gen-big', 0, generatedCases(SEEDS.genBig, options.big), 'generated');
  if (workloads.has('cron') || workloads.has('cron-single') || workloads.has('cron-big'))
    out.cron = reviewPayload('cron', 0, cronJobCases(SEEDS.cron, options.small), 'cronjob', CRON_DESIRED_API_VERSION);
  if (workloads.has('cron-big'))
    out['cron-big'] = reviewPayload(
      'cron-big',
      0,
      cronJobCases(SEEDS.cronBig, options.big),
      'cronjob',
      CRON_DESIRED_API_VERSION,
    );
  return out;
}

async function stopAll(
  servers: Partial<Record<ServerName, ServerProcess>>,
): Promise<Partial<Record<ServerName, number | null>>> {
  const exits: Partial<Record<ServerName, number | null>> = {};
  for (const s of SERVERS) {
    const proc = servers[s];
    if (proc) exits[s] = await proc.stop(40_000);
  }
  return exits;
}

function build(root: string, progress: (line: string) => void): void {
  for (const [what, args] of [
    ['npm run build (the service, as the image builds it)', ['run', 'build', '--silent']],
    ['tsc -p bench/tsconfig.json (the floor)', ['exec', '--', 'tsc', '-p', 'bench/tsconfig.json']],
  ] as const) {
    progress(`building: ${what}`);
    const r = spawnSync('npm', [...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0)
      throw new Error(
        `${what} failed (exit ${String(r.status)}); fix the build or run with --no-build against an existing dist/`,
      );
  }
}

function summariseServerProfile(dir: string, root: string, top: number): { file: string; text: string } | undefined {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return undefined;
  }
  const file = files[0] && join(dir, files[0]);
  if (!file) return undefined;
  return { file, text: formatProfile(summariseProfile(readProfile(file), root), top) };
}

/**
 * A full garbage collection of the bench process itself: `gc`, exposed at run time (the bench is
 * started through tsx, which leaves node's flags alone).
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
