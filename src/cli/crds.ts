import type { Command } from 'commander';

// Placeholder until the command lands; see the issue that names `crdconv crds`.
export function registerCrds(program: Command): void {
  program
    .command('crds')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('crdconv crds is not implemented yet');
    });
}
