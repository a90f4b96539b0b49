import type { Command } from 'commander';

// Placeholder until the command lands; see the issue that names `crdconv migrate`.
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('crdconv migrate is not implemented yet');
    });
}
