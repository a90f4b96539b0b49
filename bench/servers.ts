/**
 * The servers under test, each in its own child process (so memory is per server): the service
 * started the way production starts it (`node dist/src/cli/main.js serve`, the image's
 * entrypoint, or the same CLI through tsx), the Node floor (bench/floor.ts), and the Go anchors
 * built from bench/peers/ (the Go floor, and controller-runtime serving the kubebuilder CronJob).
 * Their logs go to a file each; the listening line there gives the port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const SERVERS = ['service', 'service-2', 'floor', 'go-floor', 'controller-runtime'] as const;
export type ServerName = (typeof SERVERS)[number];

/**
 * The service as a pod with two CPUs runs it: `crdconv serve --workers 2`, a second instance
 * next to the service (which runs with the flags the bench was given), for the `cores` workload.
 */
export const TWO_PROCESSES = '2';

/** The servers that run `crdconv serve`. */
export const isCrdconv = (name: ServerName): boolean => name === 'service' || name === 'service-2';

/** How tables name each server. */
export const SERVER_LABELS: Record<ServerName, string> = {
  service: 'crdconv',
  'service-2': 'crdconv --workers 2',
  floor: 'Node floor',
  'go-floor': 'Go floor',
  'controller-runtime': 'controller-runtime',
};

/** compiled: `node dist/...` after `npm run build` (what the image runs); tsx: the TypeScript sources. */
export type Mode = 'compiled' | 'tsx';

export interface LaunchOptions {
  readonly mode: Mode;
  /** Repository root: the working directory of both servers. */
  readonly root: string;
  /** Holds tls.crt and tls.key (the layout of a kubernetes.io/tls Secret); both servers use it. */
  readonly certDir: string;
  /** Where the servers' logs (and profiles) go. */
  readonly workDir: string;
  /** Largest review body the service must accept, when more than its default (64 MiB). */
  readonly maxRequestBytes?: number;
  /** Extra node flags for this server (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** The Go peers' binaries (bench/peers.ts builds them). */
  readonly binaries?: Partial<Record<ServerName, string>>;
  /** `crdconv serve --workers`: how many processes serve (absent: the service's default). */
  readonly workers?: string;
  /** `crdconv serve --convert-threads` (absent: the service's default). */
  readonly convertThreads?: string;
}

export interface ServerProcess {
  readonly name: ServerName;
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
  /** The command line, for the results. */
  readonly command: string;
  /** Whether the process still runs. */
  alive(): boolean;
  /** Peak and current resident set size so far, in KiB (Linux /proc), or undefined elsewhere. */
  memory(): { peakKiB: number; currentKiB: number } | undefined;
  /** CPU time (user + system, all threads, GC included) used so far, in ms (Linux /proc), or NaN. */
  cpuMs(): number;
  /** Start a new peak: the kernel resets the high-water mark to the current RSS. False if it cannot. */
  resetPeak(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** Whether it runs or how it ended, and the end of its log: for the message of a failed run. */
  describe(): string;
}

/** Clock ticks per second of /proc/PID/stat (USER_HZ): 100 on every Linux the bench runs on. */
const CLOCK_TICKS = 100;

const SERVICE_ENTRY: Record<Mode, readonly string[]> = {
  compiled: ['dist/src/cli/main.js'],
  tsx: ['--import', 'tsx', 'src/cli/main.ts'],
};
const FLOOR_ENTRY: Record<Mode, readonly string[]> = {
  compiled: ['dist/bench/floor.js'],
  tsx: ['--import', 'tsx', 'bench/floor.ts'],
};

/** The program a server runs: node for the service and the Node floor, a built binary for the Go peers. */
export function serverProgram(name: ServerName, options: LaunchOptions): string {
  if (isCrdconv(name) || name === 'floor') return process.execPath;
  const binary = options.binaries?.[name];
  if (!binary) throw new Error(`${name}: no binary (the Go peers are built by bench/peers.ts)`);
  return binary;
}

/** Arguments for a server: production flags for the service, loopback and ephemeral ports. */
export function serverArgs(name: ServerName, options: LaunchOptions): string[] {
  if (name === 'go-floor' || name === 'controller-runtime')
    return ['--cert-dir', options.certDir, '--host', '127.0.0.1', '--port', '0'];
  if (name === 'floor')
    return [
      ...(options.nodeArgs ?? []),
      ...FLOOR_ENTRY[options.mode],
      '--cert-dir',
      options.certDir,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
    ];
  return [
    ...(options.nodeArgs ?? []),
    ...SERVICE_ENTRY[options.mode],
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--cert-dir',
    options.certDir,
    // Probes and metrics stay on, as in production, on ephemeral loopback ports.
    '--health-probe-bind-address',
    '127.0.0.1:0',
    '--metrics-bind-address',
    '127.0.0.1:0',
    ...(options.maxRequestBytes !== undefined ? ['--max-request-bytes', String(options.maxRequestBytes)] : []),
    ...(name === 'service-2'
      ? ['--workers', TWO_PROCESSES]
      : options.workers !== undefined
        ? ['--workers', options.workers]
        : []),
    ...(options.convertThreads !== undefined ? ['--convert-threads', options.convertThreads] : []),
    '--log-level',
    'info',
  ];
}

export async function startServer(name: ServerName, options: LaunchOptions): Promise<ServerProcess> {
  const program = serverProgram(name, options);
  const args = serverArgs(name, options);
  const logFile = join(options.workDir, `${name}.log`);
  const log = openSync(logFile, 'w');
  // NODE_OPTIONS is dropped: a loader inherited from the bench (tsx) must not reach a compiled server.
  const { NODE_OPTIONS: _dropped, ...env } = process.env;
  let child: ChildProcess;
  try {
    child = spawn(program, args, {
      cwd: options.root,
      stdio: ['ignore', log, log],
      env: { ...env, NODE_ENV: 'production' },
    });
  } finally {
    closeSync(log);
  }
  let exited: number | null | undefined;
  let exitSignal: string | null = null;
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = code;
      exitSignal = signal;
      resolve(code);
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: the process did not start`);
  let port: number;
  try {
    port = await waitForPort(name, logFile, () => exited !== undefined, 60_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    name,
    pid,
    port,
    logFile,
    command: `${program === process.execPath ? 'node' : program} ${args.join(' ')}`,
    alive: () => exited === undefined,
    // A server may serve from several processes (crdconv serve --workers): memory and CPU are
    // those of the whole process tree.
    memory: () => {
      let peakKiB = 0;
      let currentKiB = 0;
      for (const p of processTree(pid)) {
        const m = processMemory(p);
        if (!m) {
          if (p === pid) return undefined;
          continue;
        }
        peakKiB += m.peakKiB;
        currentKiB += m.currentKiB;
      }
      return { peakKiB, currentKiB };
    },
    cpuMs: () => {
      let total = 0;
      for (const p of processTree(pid)) {
        const ms = processCpuMs(p);
        if (Number.isNaN(ms) && p === pid) return NaN;
        if (!Number.isNaN(ms)) total += ms;
      }
      return total;
    },
    resetPeak: () => {
      let ok = true;
      for (const p of processTree(pid)) {
        try {
          writeFileSync(`/proc/${p}/clear_refs`, '5');
        } catch {
          ok = false;
        }
      }
      return ok;
    },
    stop: async (graceMs = 10_000) => {
      if (exited !== undefined) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    describe: () => {
      const state =
        exited === undefined ? 'is running' : `exited (${exitSignal ? `signal ${exitSignal}` : `code ${exited}`})`;
      return `${name} (pid ${pid}) ${state}; its log (${logFile}) ends with:\n${logTail(logFile)}`;
    },
  };
}

/** A process and its descendants, from /proc/PID/task/TID/children (the process alone where that is missing). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim().split(/\s+/))
          if (child) out.push(Number(child));
      } catch {
        // gone, or no children file
      }
    }
  }
  return out;
}

/** Peak (VmHWM) and current (VmRSS) resident set of one process, in KiB. */
function processMemory(pid: number): { peakKiB: number; currentKiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const peakKiB = kib('VmHWM');
    const currentKiB = kib('VmRSS');
    return Number.isFinite(peakKiB) && Number.isFinite(currentKiB) ? { peakKiB, currentKiB } : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) of one process, in ms, or NaN. */
function processCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

function logTail(logFile: string, lines = 15): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (e) {
    return `(unreadable: ${(e as Error).message})`;
  }
}

type LogEntry = { msg?: unknown; message?: unknown; port?: unknown };

/**
 * The port of a "... listening" log entry: the text in `msg` or `message`, the fields flat or
 * nested under `message` (winston writes either, depending on its format).
 */
export function listeningPort(parsed: unknown): number | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const top = parsed as LogEntry;
  for (const entry of [
    top,
    typeof top.message === 'object' && top.message !== null ? (top.message as LogEntry) : undefined,
  ]) {
    if (!entry) continue;
    const text = typeof entry.msg === 'string' ? entry.msg : typeof entry.message === 'string' ? entry.message : '';
    if (text.includes('listening') && typeof entry.port === 'number') return entry.port;
  }
  return undefined;
}

/** The port from the server's listening log line (a JSON line whose msg says "listening", with a port). */
async function waitForPort(
  name: ServerName,
  logFile: string,
  exited: () => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = readFileSync(logFile, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.includes('listening')) continue;
      try {
        const port = listeningPort(JSON.parse(line));
        if (port !== undefined) return port;
      } catch {
        // not a JSON line
      }
    }
    if (exited() || Date.now() > deadline) {
      throw new Error(
        `${name} ${exited() ? 'exited' : 'did not report a port'} before listening; its log (${logFile}) ends with:\n${logTail(logFile)}`,
      );
    }
    await delay(25);
  }
}
