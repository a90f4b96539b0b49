/**
 * npm run cluster -- up | down | status | build
 *
 *   up      build missing binaries, start etcd and kube-apiserver (or find them running), print
 *           `KUBECONFIG=<path>` on stdout (nothing else goes to stdout) and return with both running
 *   down    stop them and remove their state
 *   status  print the state as JSON; exit 1 when the cluster is not ready
 *   build   only build the missing binaries; print their folder
 */
import { down, ensureBinaries, isReady, readState, stateDir, up } from './cluster.js';
import { dirname } from 'node:path';

const usage = 'usage: npm run cluster -- up | down | status | build';

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const state = await up();
      process.stdout.write(`KUBECONFIG=${state.kubeconfig}\n`);
      return 0;
    }
    case 'down':
      await down();
      process.stderr.write(`cluster: stopped; ${stateDir()} removed\n`);
      return 0;
    case 'status': {
      const state = await readState();
      const ready = state ? await isReady(state) : false;
      process.stdout.write(`${JSON.stringify({ ready, ...(state ?? { dir: stateDir() }) }, null, 2)}\n`);
      return ready ? 0 : 1;
    }
    case 'build': {
      const bins = ensureBinaries();
      process.stdout.write(`${dirname(bins.kubeApiserver)}\n`);
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`cluster: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
