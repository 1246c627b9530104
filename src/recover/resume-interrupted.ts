import type { BackupEvent } from '../backup/backup-events';
import type { BackupPlan } from '../backup/backup-plan';
import { type BackupResult, executeBackup } from '../backup/execute-backup';
import { executeRestore, type RestoreResult } from '../backup/execute-restore';
import type { RestorePlan } from '../backup/restore-plan';
import type { Deployment } from '../deployment/deployment';
import { UpgradeError } from '../errors';
import { findInterruptedRun } from '../execute/saved-plan';
import { defaultStateDir } from '../execute/state-dir';
import type { StepEvent } from '../execute/step';
import { executeRollback, type RollbackResult } from '../rollback/execute-rollback';
import type { RollbackPlan } from '../rollback/rollback-plan';
import { executeUpgrade, type UpgradeResult } from '../upgrade/execute-upgrade';
import type { Confirm } from '../upgrade/upgrade-context';
import type { UpgradePlan } from '../upgrade/upgrade-plan';

export interface ResumeInterruptedOptions {
  /** `continue`: finish what the killed run started; `rollback`: undo its unfinished part. */
  resume: 'continue' | 'rollback';
  /** The state directory the run used. @default `defaultStateDir()` */
  stateDir?: string;
  signal?: AbortSignal;
  onEvent?: (event: StepEvent | BackupEvent) => void;
  /** Passed on to an upgrade or rollback being resumed (see their options). */
  confirm?: Confirm;
  /** An upgrade's `set` env values (its plan holds only their hashes). */
  env?: Record<string, string>;
  /** A rollback that restores a backup loses the writes made since: say yes to resume one. */
  acceptDataLoss?: boolean;
}

export type ResumedRun =
  | { kind: 'backup'; run: string; result: BackupResult }
  | { kind: 'restore'; run: string; result: RestoreResult }
  | { kind: 'upgrade'; run: string; result: UpgradeResult }
  | { kind: 'rollback'; run: string; result: RollbackResult };

/**
 * Finds the deployment's run that was killed before it finished (a backup, restore, upgrade or
 * rollback) and finishes or undoes it with the plan it saved, under the same locks and checks as
 * the first attempt. Returns null when no run of the deployment was interrupted. What a resumed run
 * cannot do (an undo that fails) is reported by the executor's own error.
 */
export async function resumeInterrupted(
  deployment: Deployment,
  options: ResumeInterruptedOptions,
): Promise<ResumedRun | null> {
  const stateDir = options.stateDir ?? defaultStateDir();
  const found = await findInterruptedRun(stateDir, deployment.project);
  if (!found) return null;
  const { signal, onEvent, resume } = options;
  const run = found.run;
  switch (found.header.planKind) {
    case 'backup':
      return {
        kind: 'backup',
        run,
        result: await executeBackup(deployment, found.plan as BackupPlan, { signal, onEvent, resume }),
      };
    case 'restore':
      return {
        kind: 'restore',
        run,
        result: await executeRestore(deployment, found.plan as RestorePlan, { signal, onEvent, resume }),
      };
    case 'upgrade':
      return {
        kind: 'upgrade',
        run,
        result: await executeUpgrade(deployment, found.plan as UpgradePlan, {
          signal,
          onEvent,
          resume,
          confirm: options.confirm,
          env: options.env,
        }),
      };
    case 'rollback':
      return {
        kind: 'rollback',
        run,
        result: await executeRollback(deployment, found.plan as RollbackPlan, {
          signal,
          onEvent,
          resume,
          confirm: options.confirm,
          acceptDataLoss: options.acceptDataLoss,
        }),
      };
    default:
      throw new UpgradeError('JOURNAL', {
        message: `The interrupted run ${run} of ${deployment.project} is of kind '${found.header.planKind}', which this version of engram-upgrade cannot resume`,
        unchanged: 'Nothing was changed',
        hint: `Resume it with the version of engram-upgrade that started it (its journal is ${found.path})`,
      });
  }
}
