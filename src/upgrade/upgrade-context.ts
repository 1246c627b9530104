import type { ComposeProjectFiles } from '../compose/compose-cli';
import type { Deployment } from '../deployment/deployment';
import type { SecretSet } from '../secrets';
import type { UpgradePlan } from './upgrade-plan';

/** A question the executor asks before a step it may not take on its own. */
export interface ConfirmRequest {
  kind: 'manual-step' | 'data-loss';
  /** What will happen or what the person must do, in words. */
  text: string;
  /** Commands exactly as the release notes wrote them (never run through a shell). */
  commands: string[];
  hop?: number;
}

/** Answers a `ConfirmRequest`: true to go on, false to stop (and roll the hop back). */
export type Confirm = (request: ConfirmRequest) => Promise<boolean> | boolean;

/** What every upgrade step handler works with. */
export interface UpgradeContext {
  deployment: Deployment;
  plan: UpgradePlan;
  files: ComposeProjectFiles;
  secrets: SecretSet;
  /** Values for the plan's `set` env edits (their hashes were checked). */
  env: Record<string, string>;
  runId: string;
  /** This run's directory in the state dir: kept file copies live here. */
  runDir: string;
  confirm: Confirm | undefined;
  allowManualSteps: boolean;
}

/** The id of a sibling step of the same hop: `hop2.pull` for `hop2.*` and `pull`. */
export function sibling(stepId: string, name: string): string {
  return `${stepId.slice(0, stepId.indexOf('.'))}.${name}`;
}
