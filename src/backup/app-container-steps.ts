import type { Deployment } from '../deployment/deployment';
import type { StepHandler } from '../execute/step-runner';

/** Starts the container unless it already runs: idempotent, as an undo or a re-run must be. */
async function startIfStopped(deployment: Deployment, id: string): Promise<void> {
  if (!(await deployment.docker.inspect(id)).running) await deployment.docker.start(id);
}

/**
 * Stops the app container a backup or restore plan names (`input.container`) so nothing writes while
 * it works; undone by starting it again.
 */
export const stopAppStep: StepHandler<{ deployment: Deployment }> = {
  async run(step, rt) {
    await rt.ctx.deployment.docker.stop(String(step.input.container), 30);
    return { stopped: String(step.input.container) };
  },
  async undo(step, _out, rt) {
    await startIfStopped(rt.ctx.deployment, String(step.input.container));
  },
};

/** Starts the app container again once the work is done (its own group: nothing to undo). */
export const startAppStep: StepHandler<{ deployment: Deployment }> = {
  async run(step, rt) {
    await startIfStopped(rt.ctx.deployment, String(step.input.container));
    return null;
  },
};
