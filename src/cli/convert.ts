import type { Command } from 'commander';

// Placeholder until the command lands; see the issue that names `crdconv convert`.
export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('crdconv convert is not implemented yet');
    });
}
