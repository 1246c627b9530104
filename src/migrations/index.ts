export { type AnalyzeMigrationOptions, analyzeMigration } from './analyze-migration';
export { type LogEvent, type MigrationLogState, MigrationLogWatcher, parseLogLine } from './ecto-log';
export * from './migration-analysis';
export { type MigrationFilename, parseMigrationFilename } from './migration-filename';
export { firstNewVersion, pendingMigrations } from './pending-migrations';
