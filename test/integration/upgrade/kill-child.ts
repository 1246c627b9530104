/**
 * Runs executeUpgrade on a saved plan and SIGKILLs itself when a given step event arrives, the way an
 * operator's terminal, a CI runner or the OOM killer ends an upgrader without warning.
 * argv: <project> <plan.json> <step> <started|finished>
 */
import { readFileSync } from 'node:fs';
import { openDeployment } from '../../../src/deployment/deployment';
import { executeUpgrade } from '../../../src/upgrade/execute-upgrade';

const [project, planFile, step, status] = process.argv.slice(2) as [string, string, string, string];
const dep = await openDeployment({ project });
await executeUpgrade(dep, JSON.parse(readFileSync(planFile, 'utf8')), {
  onEvent: (e) => {
    if (e.type === 'step' && e.step === step && e.status === status) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished without being killed\n');
