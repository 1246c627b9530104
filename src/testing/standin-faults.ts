/**
 * Test-only switches understood by the Engram stand-in image (never by a real release).
 * Every one becomes an `ENGRAM_STANDIN_*` variable in the stack's env file.
 */
export interface StandinFaults {
  /** Fail when this 14-digit migration runs (earlier new migrations stay committed). */
  failAtMigration?: string;
  /** Sleep this long in every migration. */
  migrationDelayMs?: number;
  /** `/api/health` answers 503 forever. */
  neverHealthy?: boolean;
  /** Exit 1 this long after the endpoint started (a crash loop under `restart: unless-stopped`). */
  crashAfterBootMs?: number;
  /** Wait this long after migrations before listening. */
  bootDelayMs?: number;
  /** Dev text log format instead of the prod JSON lines. */
  textLogs?: boolean;
  /** Only this version obeys the switches above (a fault armed for the version an upgrade brings). */
  onlyVersion?: string;
}

export function faultEnv(faults: StandinFaults = {}): Record<string, string> {
  const env: Record<string, string> = {};
  if (faults.failAtMigration) env.ENGRAM_STANDIN_FAIL_AT_MIGRATION = faults.failAtMigration;
  if (faults.migrationDelayMs) env.ENGRAM_STANDIN_MIGRATION_DELAY_MS = String(faults.migrationDelayMs);
  if (faults.neverHealthy) env.ENGRAM_STANDIN_NEVER_HEALTHY = 'true';
  if (faults.crashAfterBootMs) env.ENGRAM_STANDIN_CRASH_AFTER_BOOT_MS = String(faults.crashAfterBootMs);
  if (faults.bootDelayMs) env.ENGRAM_STANDIN_BOOT_DELAY_MS = String(faults.bootDelayMs);
  if (faults.textLogs) env.ENGRAM_STANDIN_LOG_FORMAT = 'text';
  if (faults.onlyVersion) env.ENGRAM_STANDIN_ONLY_VERSION = faults.onlyVersion;
  return env;
}
