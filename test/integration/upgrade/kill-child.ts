/**
 * Executes a saved upgrade or rollback plan and SIGKILLs itself when a given step event arrives, the
 * way an operator's terminal, a CI runner or the OOM killer ends a run without warning.
 * argv: <upgrade|rollback> <project> <plan.json> <step> <started|finished>
 */
import { readFileSync } from 'node:fs';
import { openDeployment } from '../../../src/deployment/deployment';
import type { StepEvent } from '../../../src/execute/step';
import { executeRollback } from '../../../src/rollback/execute-rollback';
import { executeUpgrade } from '../../../src/upgrade/execute-upgrade';

const [mode, project, planFile, step, status] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const dep = await openDeployment({ project });
const plan = JSON.parse(readFileSync(planFile, 'utf8'));
const onEvent = (e: StepEvent) => {
  if (e.type === 'step' && e.step === step && e.status === status) process.kill(process.pid, 'SIGKILL');
};
if (mode === 'rollback') await executeRollback(dep, plan, { onEvent, acceptDataLoss: true });
else await executeUpgrade(dep, plan, { onEvent });
process.stdout.write('finished without being killed\n');
