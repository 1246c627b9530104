export type { HealthReading } from './app-health';
export { type ConfigFile, type DeploymentState, inspectDeployment } from './deployment-state';
export {
  type ExecuteUpgradeOptions,
  executeUpgrade,
  UpgradeFailedError,
  type UpgradeResult,
} from './execute-upgrade';
export { type HopRecord, HopRecordSchema, readHopHistory } from './hop-record';
export { type ImageMigrations, readImageMigrations } from './image-migrations';
export { classifyManualStep, type ManualStepHandling } from './manual-steps';
export { type ApplyUpgradeOptions, applyUpgrade } from './plan-upgrade';
export type { RecreateDriver } from './recreate-app';
export type { RecreateDriverOption } from './recreate-driver';
export type { Confirm, ConfirmRequest } from './upgrade-context';
export {
  type DeploymentBinding,
  DeploymentBindingSchema,
  type PlannedEnvEdit,
  PlannedEnvEditSchema,
  type PlannedHop,
  PlannedHopSchema,
  type UpgradePlan,
  UpgradePlanSchema,
} from './upgrade-plan';
export { UpgradeResultSchema } from './upgrade-result';
