import type { BackupPlan } from './backup-plan';

/**
 * pg_dump's options for either format: the planned compression, the snapshot the dump step exported
 * (so every job of a parallel dump reads one consistent state), and the source database and user.
 */
export function pgDumpSourceArgs(plan: BackupPlan, snapshot: string): string[] {
  return [
    // gzip is pg_dump's default; zstd and lz4 need a 16 or newer client and server (the plan checked).
    ...(plan.compression === 'gzip' ? [] : [`--compress=${plan.compression}:1`]),
    `--snapshot=${snapshot}`,
    '--no-password',
    '-U',
    plan.source.user,
    '-d',
    plan.source.database,
  ];
}
