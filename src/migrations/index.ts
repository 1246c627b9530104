export { type AnalyzeMigrationOptions, analyzeMigration } from './analyze-migration';
export * from './migration-analysis';
export { type MigrationFilename, parseMigrationFilename } from './migration-filename';
export { firstNewVersion, pendingMigrations } from './pending-migrations';
