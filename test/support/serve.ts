import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { flattenLogLine, type LogEntry } from './service.js';

/**
 * The real CLI in its own process, as a container runs it: `crdconv serve` on loopback ephemeral
 * ports with a development certificate in `devCertDir` (its CA is `ca.crt` there), plus `extraArgs`.
 * Resolves once it logs that it listens; its log lines are collected as they come.
 */
export async function spawnServe(
  devCertDir: string,
  extraArgs: readonly string[] = [],
  nodeArgs: readonly string[] = [],
) {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--import',
      'tsx',
      'src/cli/main.ts',
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--health-probe-bind-address',
      '127.0.0.1:0',
      '--metrics-bind-address',
      '127.0.0.1:0',
      '--dev-cert-dir',
      devCertDir,
      ...extraArgs,
    ],
    { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const logs: LogEntry[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  createInterface({ input: child.stderr! }).on('line', (line) => {
    try {
      logs.push(flattenLogLine(line));
    } catch {
      logs.push({ level: 'raw', msg: line });
    }
  });
  const listening = await new Promise<LogEntry>((resolve, reject) => {
    const timer = setInterval(() => {
      const line = logs.find((e) => e.msg === 'conversion webhook listening');
      if (line) {
        clearInterval(timer);
        resolve(line);
      }
    }, 50);
    void exited.then(({ code }) => {
      clearInterval(timer);
      reject(new Error(`crdconv serve exited (${code}) before listening: ${logs.map((l) => l.msg).join(' | ')}`));
    });
  });
  return {
    child,
    logs,
    exited,
    port: listening.port as number,
    probesPort: listening.probesPort as number,
    metricsPort: listening.metricsPort as number,
  };
}
