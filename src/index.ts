/**
 * engram-upgrade: composable primitives for upgrading a self-hosted Engram deployment.
 * Pure core (release notes, planning) and adapters (Docker, Postgres) behind small ports.
 */
export * from './errors';
