/**
 * Executes a saved upgrade or rollback plan and SIGKILLs itself when a given step event arrives, the
 * way an operator's terminal, a CI runner or the OOM killer ends a run without warning.
 * argv: <upgrade|rollback|backup|restore> <project> <plan.json> <step> <started|finished>
 * A step of `progress:<phase>` kills at the first progress event of that phase (mid-dump, mid-restore).
 * With ENGRAM_TEST_SIGNAL=SIGSTOP it stops instead, once, and finishes after a SIGCONT: a run that holds
 * its locks mid-step for as long as a test needs.
 */
import { readFileSync } from 'node:fs';
import type { BackupEvent } from '../../src/backup/backup-events';
import { executeBackup } from '../../src/backup/execute-backup';
import { executeRestore } from '../../src/backup/execute-restore';
import { openDeployment } from '../../src/deployment/deployment';
import type { StepEvent } from '../../src/execute/step';
import { executeRollback } from '../../src/rollback/execute-rollback';
import { executeUpgrade } from '../../src/upgrade/execute-upgrade';

const [mode, project, planFile, step, status] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const dep = await openDeployment({ project });
const plan = JSON.parse(readFileSync(planFile, 'utf8'));
const signal = process.env.ENGRAM_TEST_SIGNAL === 'SIGSTOP' ? 'SIGSTOP' : 'SIGKILL';
let fired = false;
const onEvent = (e: StepEvent | BackupEvent) => {
  const hit =
    (e.type === 'step' && e.step === step && e.status === status) ||
    (e.type === 'progress' && step === `progress:${e.phase}`);
  if (hit && !fired) {
    fired = true;
    process.kill(process.pid, signal);
  }
};
if (mode === 'rollback') await executeRollback(dep, plan, { onEvent, acceptDataLoss: true });
else if (mode === 'backup') await executeBackup(dep, plan, { onEvent });
else if (mode === 'restore') await executeRestore(dep, plan, { onEvent });
else await executeUpgrade(dep, plan, { onEvent });
process.stdout.write('finished without being killed\n');
