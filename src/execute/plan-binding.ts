import { UpgradeError } from '../errors';
import type { DeploymentState } from '../upgrade/deployment-state';
import type { DeploymentBinding } from '../upgrade/upgrade-plan';

/** The binding a plan records: what it was made against. */
export function bindingOf(state: DeploymentState): DeploymentBinding {
  return {
    project: state.project,
    appContainerId: state.app.id,
    appImageId: state.app.imageId,
    dbContainerId: state.db.id,
    migrationHead: state.head,
    files: state.configFiles.map((f) => ({ path: f.path, sha256: f.sha256 })),
  };
}

/** A container or image id as the differences name it: 12 hex digits, or `none`. */
export function short(id: string | null): string {
  return id ? id.replace(/^sha256:/, '').slice(0, 12) : 'none';
}

/** What differs between a plan's binding and the deployment now; empty when the plan still holds. */
export function bindingDifferences(recorded: DeploymentBinding, now: DeploymentBinding): string[] {
  const out: string[] = [];
  if (recorded.project !== now.project) out.push(`project ${recorded.project} → ${now.project}`);
  if (recorded.appContainerId !== now.appContainerId)
    out.push(`app container ${short(recorded.appContainerId)} → ${short(now.appContainerId)}`);
  if (recorded.appImageId !== now.appImageId)
    out.push(`app image ${short(recorded.appImageId)} → ${short(now.appImageId)}`);
  if (recorded.dbContainerId !== now.dbContainerId)
    out.push(`database container ${short(recorded.dbContainerId)} → ${short(now.dbContainerId)}`);
  if (recorded.migrationHead !== now.migrationHead)
    out.push(`migration head ${recorded.migrationHead ?? 'none'} → ${now.migrationHead ?? 'none'}`);
  const nowFiles = new Map(now.files.map((f) => [f.path, f.sha256]));
  for (const f of recorded.files) {
    const h = nowFiles.get(f.path);
    if (h === undefined) out.push(`${f.path} is gone`);
    else if (h !== f.sha256) out.push(`${f.path} was edited`);
  }
  for (const f of now.files) {
    if (!recorded.files.some((r) => r.path === f.path)) out.push(`${f.path} is new`);
  }
  return out;
}

/** Refuses a plan whose deployment changed since it was made, before anything is touched. */
export function requireFreshPlan(kind: string, recorded: DeploymentBinding, now: DeploymentBinding): void {
  requireNoDifferences(kind, bindingDifferences(recorded, now));
}

/** `PLAN_STALE`, naming each difference, when the deployment changed since a plan was made. */
export function requireNoDifferences(kind: string, diffs: string[]): void {
  if (diffs.length) {
    throw new UpgradeError('PLAN_STALE', {
      message: `The ${kind} plan is stale: the deployment changed since it was made (${diffs.join('; ')})`,
      unchanged: 'Nothing was changed',
      hint: `Make a new ${kind} plan, review it, and execute that one`,
    });
  }
}
