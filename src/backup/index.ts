export type { BackupEvent, BackupEventHandler } from './backup-events';
export { type BackupPlan, BackupPlanSchema, type PlanStep, PlanStepSchema } from './backup-plan';
export { type BackupResult, type ExecuteBackupOptions, executeBackup } from './execute-backup';
export { checkFiles, loadManifest } from './load-manifest';
export { type BackupManifest, BackupManifestSchema, DUMP_FILE, MANIFEST_FILE, ROLES_FILE } from './manifest';
export { type BackupOptions, backup } from './plan-backup';
export { type VerifyBackupOptions, type VerifyReport, verifyBackup } from './verify-backup';
