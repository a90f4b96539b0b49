import type { Command } from 'commander';

// Placeholder until the command lands; see the issue that names `crdconv check`.
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('crdconv check is not implemented yet');
    });
}
