import { formatVersions } from './crdInfo.js';
import type { MigrationCounts } from './state.js';
import type { TrimResult } from './trimStoredVersions.js';

export type TrimStep = TrimResult | { readonly status: 'skipped'; readonly reason: string };

/** How the run ended. */
export type RunEnd =
  /** Every object was listed and handled (some may have failed). */
  | 'completed'
  /** status.storedVersions already held only the storage version: nothing was rewritten. */
  | 'nothing-to-do'
  /** Stopped by the user (SIGINT); the state file lets the next run go on. */
  | 'interrupted'
  /** Listing failed for good; the state file lets the next run go on. */
  | 'list-failed';

export interface MigrationSummary {
  readonly crd: string;
  readonly storageVersion: string;
  readonly dryRun: boolean;
  readonly resumed: boolean;
  readonly end: RunEnd;
  readonly counts: MigrationCounts;
  readonly storedVersionsBefore: readonly string[];
  /** What status.storedVersions holds after the run (in a dry run: what it would hold). */
  readonly storedVersionsAfter: readonly string[];
  readonly trim: TrimStep;
  /** The state file left for a resume, when one was left. */
  readonly stateFile: string | undefined;
  readonly error: string | undefined;
}

/** 0 when the version can be retired; 130 when interrupted; 1 for anything else left undone. */
export function exitCode(s: MigrationSummary): number {
  if (s.end === 'interrupted') return 130;
  if (s.end === 'list-failed' || s.counts.failed > 0) return 1;
  if (s.trim.status === 'crd-changed' || s.trim.status === 'error') return 1;
  return 0;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function trimLine(s: MigrationSummary): string {
  const before = formatVersions(s.storedVersionsBefore);
  switch (s.trim.status) {
    case 'trimmed':
      return s.dryRun
        ? `storedVersions: ${before} would become ${formatVersions(s.trim.after)} (the apiserver accepted the dry-run patch)`
        : `storedVersions: ${before} -> ${formatVersions(s.trim.after)}`;
    case 'not-needed':
      return `storedVersions: ${before} (already only the storage version)`;
    case 'crd-changed':
      return `storedVersions: ${before}, NOT trimmed: ${s.trim.message}; run crdconv migrate again`;
    case 'error':
      return `storedVersions: ${before}, NOT trimmed: ${s.trim.message}`;
    case 'skipped':
      return `storedVersions: ${before}, not trimmed: ${s.trim.reason}`;
  }
}

/** The end-of-run report, for a person. */
export function formatSummary(s: MigrationSummary): string {
  const c = s.counts;
  const lines = [
    `${s.dryRun ? 'dry run of ' : ''}migration of ${s.crd} to storage version ${s.storageVersion}${s.resumed ? ' (resumed)' : ''}`,
    `  ${s.dryRun ? 'would rewrite' : 'rewritten'}: ${c.rewritten}`,
    `  skipped:   ${c.skipped} (deleted during the run)`,
    `  failed:    ${c.failed}`,
  ];
  if (c.conflicts > 0) lines.push(`  conflicts: ${plural(c.conflicts, 'conflict')} re-read and retried`);
  lines.push(`  ${trimLine(s)}`);
  if (s.end === 'nothing-to-do')
    lines.push(
      '  nothing to do: every object is already stored in the storage version (use --force to rewrite anyway)',
    );
  if (s.end === 'interrupted')
    lines.push(`  interrupted: progress saved in ${s.stateFile}; run the same command again to go on`);
  if (s.end === 'list-failed')
    lines.push(`  stopped: ${s.error}; progress saved in ${s.stateFile ?? '(dry run: not saved)'}; run again to go on`);
  if (s.counts.failed > 0)
    lines.push(
      '  fix the failed objects (their errors are above) and run again: objects already rewritten are cheap to redo',
    );
  return `${lines.join('\n')}\n`;
}
