import type { Deployment } from '../deployment/deployment';
import { inspectDeployment } from '../upgrade/deployment-state';
import type { DeploymentBinding } from '../upgrade/upgrade-plan';
import { acquireDatabaseLock } from './database-lock';
import { bindingOf, requireFreshPlan } from './plan-binding';
import type { RunPlanInput } from './run-plan';

/**
 * What every executor of a deployment plan hands the runner: the database lock held for the run, and
 * the check that refuses a plan whose deployment changed since it was made.
 */
export function deploymentGuards(
  deployment: Deployment,
  kind: string,
  boundTo: DeploymentBinding,
): Required<Pick<RunPlanInput<unknown>, 'holdLock' | 'checkFresh'>> {
  return {
    holdLock: (runId) => acquireDatabaseLock(deployment, runId),
    checkFresh: async () => requireFreshPlan(kind, boundTo, bindingOf(await inspectDeployment(deployment))),
  };
}
