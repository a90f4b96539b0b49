import type { Command } from 'commander';

// Placeholder until the command lands; see the issue that names `crdconv validate`.
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('crdconv validate is not implemented yet');
    });
}
