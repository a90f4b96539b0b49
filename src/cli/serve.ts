import type { Command } from 'commander';

// Placeholder until the command lands; see the issue that names `crdconv serve`.
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('crdconv serve is not implemented yet');
    });
}
