import { apiFailure, describeFailure } from './apiErrors.js';
import { crdInfo, storedVersionsNeedTrim, type CrdInfo } from './crdInfo.js';
import type { MigrationApi, ResourceTarget } from './kubeApi.js';
import { listPages } from './listPages.js';
import { alreadyHandled, objectKey } from './objectKey.js';
import { processed, type ProgressReporter, type ProgressSnapshot } from './progress.js';
import type { Clock } from './rateLimit.js';
import { rewriteObject, type RewriteOutcome } from './rewriteObject.js';
import {
  freshState,
  loadState,
  removeState,
  saveState,
  whyNotResumable,
  zeroCounts,
  type MigrationCounts,
  type MigrationState,
} from './state.js';
import type { MigrationSummary, RunEnd, TrimStep } from './summary.js';
import { trimStoredVersions } from './trimStoredVersions.js';

export interface MigrateOptions {
  readonly crdName: string;
  /** List everything and send every write with dryRun=All; persist nothing, not even the state file. */
  readonly dryRun: boolean;
  /** Objects per list page. */
  readonly pageSize: number;
  readonly stateFile: string;
  /** Trim status.storedVersions at the end (false with --no-trim). */
  readonly trim: boolean;
  /** Rewrite even when storedVersions already holds only the storage version. */
  readonly force: boolean;
  readonly maxConflictRetries: number;
  readonly maxListRetries: number;
}

export const defaultMigrateOptions = {
  dryRun: false,
  pageSize: 500,
  trim: true,
  force: false,
  maxConflictRetries: 5,
  maxListRetries: 5,
} as const;

export interface MigrateDeps {
  /** Rate limited already, if it should be. */
  readonly api: MigrationApi;
  readonly progress: ProgressReporter;
  readonly clock: Clock;
  /** Aborted on SIGINT: the run stops after the object in flight and saves its place. */
  readonly signal?: AbortSignal;
}

const count = (counts: MigrationCounts, result: RewriteOutcome): MigrationCounts => ({
  rewritten: counts.rewritten + (result.outcome === 'rewritten' ? 1 : 0),
  skipped: counts.skipped + (result.outcome === 'skipped' ? 1 : 0),
  failed: counts.failed + (result.outcome === 'failed' ? 1 : 0),
  conflicts: counts.conflicts + result.conflicts,
});

const targetOf = (info: CrdInfo): ResourceTarget => ({
  group: info.group,
  version: info.storageVersion,
  plural: info.plural,
  namespaced: info.namespaced,
});

/** The CRD, or an error in the apiserver's words (client-node's own message is a wall of JSON). */
export async function readCrdOrExplain(api: MigrationApi, name: string) {
  try {
    return await api.readCrd(name);
  } catch (err) {
    throw new Error(`reading CustomResourceDefinition ${name} failed: ${describeFailure(apiFailure(err))}`, {
      cause: err,
    });
  }
}

/** The saved state when it matches the CRD as it is now; tells why when it does not. */
function resumeFrom(options: MigrateOptions, info: CrdInfo, progress: ProgressReporter): MigrationState | undefined {
  if (options.dryRun) return undefined;
  const saved = loadState(options.stateFile);
  if (saved === undefined) return undefined;
  const why = whyNotResumable(saved, info);
  if (why === undefined) return saved;
  progress.notice(`not resuming from ${options.stateFile}: ${why}; starting over`);
  return undefined;
}

/**
 * Rewrites every object of a CRD in its storage version, then trims status.storedVersions to the
 * storage version alone: the step that lets an old version leave the CRD.
 */
export async function runMigration(options: MigrateOptions, deps: MigrateDeps): Promise<MigrationSummary> {
  const { api, progress, clock } = deps;
  const info = crdInfo(await readCrdOrExplain(api, options.crdName));

  if (!storedVersionsNeedTrim(info) && !options.force) {
    return {
      crd: info.name,
      storageVersion: info.storageVersion,
      dryRun: options.dryRun,
      resumed: false,
      end: 'nothing-to-do',
      counts: zeroCounts(),
      storedVersionsBefore: info.storedVersions,
      storedVersionsAfter: info.storedVersions,
      trim: { status: 'not-needed', after: info.storedVersions },
      stateFile: undefined,
      error: undefined,
    };
  }

  const saved = resumeFrom(options, info, progress);
  let state: MigrationState = saved ?? freshState(info, new Date(clock.now()));
  const persist = (next: MigrationState) => {
    state = { ...next, updatedAt: new Date(clock.now()).toISOString() };
    if (!options.dryRun) saveState(options.stateFile, state);
  };
  let total: number | undefined;
  const snapshot = (): ProgressSnapshot => ({ counts: state.counts, total });

  progress.start(
    { crd: info.name, storageVersion: info.storageVersion, dryRun: options.dryRun, resumed: saved !== undefined },
    snapshot(),
  );

  let end: RunEnd = 'completed';
  let error: string | undefined;
  const pages = listPages(api, targetOf(info), {
    limit: options.pageSize,
    continueToken: state.continueToken,
    maxRetries: options.maxListRetries,
    clock,
    notice: (m) => progress.notice(m),
  });
  try {
    pages: for await (const page of pages) {
      // Resume point while this page is worked on: refetch it and skip up to lastKey.
      persist({ ...state, continueToken: page.pageToken });
      const todo = page.items.filter((item) => !alreadyHandled(objectKey(item), state.lastKey));
      total =
        page.remainingItemCount === undefined && page.nextToken !== undefined
          ? undefined
          : processed(state.counts) + todo.length + (page.remainingItemCount ?? 0);
      for (const item of todo) {
        if (deps.signal?.aborted) {
          end = 'interrupted';
          break pages;
        }
        const key = objectKey(item);
        const result = await rewriteObject(api, targetOf(info), item, {
          dryRun: options.dryRun,
          maxConflictRetries: options.maxConflictRetries,
          maxThrottleRetries: 5,
          clock,
        });
        persist({ ...state, counts: count(state.counts, result), lastKey: key });
        progress.object(key, result, snapshot());
      }
      persist({ ...state, continueToken: page.nextToken });
      progress.page(snapshot());
      if (deps.signal?.aborted && page.nextToken !== undefined) {
        end = 'interrupted';
        break;
      }
    }
  } catch (err) {
    end = 'list-failed';
    error = (err as Error).message;
  }

  let trim: TrimStep;
  if (end !== 'completed') {
    trim = { status: 'skipped', reason: end === 'interrupted' ? 'the run was interrupted' : 'listing did not finish' };
  } else {
    if (!options.dryRun) removeState(options.stateFile);
    if (state.counts.failed > 0) trim = { status: 'skipped', reason: `${state.counts.failed} object(s) failed` };
    else if (!options.trim) trim = { status: 'skipped', reason: '--no-trim' };
    else {
      trim = await trimStoredVersions(
        api,
        {
          crdName: info.name,
          storageVersion: info.storageVersion,
          resourceVersion: state.crdResourceVersion,
          storedVersionsBefore: state.storedVersionsBefore,
        },
        { dryRun: options.dryRun },
      );
    }
  }
  progress.end(snapshot());

  return {
    crd: info.name,
    storageVersion: info.storageVersion,
    dryRun: options.dryRun,
    resumed: saved !== undefined,
    end,
    counts: state.counts,
    storedVersionsBefore: state.storedVersionsBefore,
    storedVersionsAfter: trim.status === 'trimmed' && !options.dryRun ? trim.after : state.storedVersionsBefore,
    trim,
    stateFile: end === 'completed' || options.dryRun ? undefined : options.stateFile,
    error,
  };
}
