export { checkAuthenticity, unauthenticatedWarning, writeManifestSignature } from './backup-authenticity';
export type { BackupEvent, BackupEventHandler } from './backup-events';
export { type BackupPlan, BackupPlanSchema } from './backup-plan';
export { BackupResultSchema, RestoreResultSchema, VerifyReportSchema } from './backup-results';
export { type DatabaseBinding, DatabaseBindingSchema } from './database-binding';
export { type BackupResult, type ExecuteBackupOptions, executeBackup } from './execute-backup';
export { type ExecuteRestoreOptions, executeRestore, type RestoreResult } from './execute-restore';
export { checkFiles, loadManifest, loadSignedManifest } from './load-manifest';
export { type BackupManifest, BackupManifestSchema, DUMP_FILE, MANIFEST_FILE, ROLES_FILE } from './manifest';
export {
  type Authenticity,
  AuthenticitySchema,
  checkManifestSignature,
  type ManifestSignature,
  ManifestSignatureSchema,
  MIN_KEY_BYTES,
  SIGNATURE_FILE,
  type SignatureCheck,
  type SigningKeyRef,
  SigningKeyRefSchema,
  signingKeyId,
  signManifest,
} from './manifest-signature';
export { type BackupOptions, backup } from './plan-backup';
export { type RestoreOptions, restore } from './plan-restore';
export { type RestorePlan, RestorePlanSchema } from './restore-plan';
export { loadSigningKey, reloadSigningKey, SigningKey, type SigningKeySource } from './signing-key';
export {
  type VerifyBackupOptions,
  type VerifyCommon,
  type VerifyReport,
  verifyBackup,
} from './verify-backup';
