import { z } from 'zod';
import { psqlQuery } from '../db/psql';
import { type Deployment, dbIdentityOf, secretsOf } from '../deployment/deployment';
import { requireNoDifferences, short } from '../execute/plan-binding';

/**
 * What a backup or restore plan was made against: the containers by id, whether the app ran, its
 * image, and the database's migration head. An executor compares it with the deployment as it is
 * before touching anything, so a reviewed plan never acts on a deployment that changed since.
 */
export const DatabaseBindingSchema = z.object({
  dbContainerId: z.string(),
  appContainerId: z.string().nullable(),
  appImageId: z.string().nullable(),
  appRunning: z.boolean(),
  migrationHead: z.string().nullable(),
});
export type DatabaseBinding = z.infer<typeof DatabaseBindingSchema>;

/** Reads the binding of the deployment as it is now. Changes nothing. */
export async function readDatabaseBinding(deployment: Deployment): Promise<DatabaseBinding> {
  const db = await deployment.db();
  const app = await deployment.findApp();
  const { user, database } = dbIdentityOf(db);
  const target = {
    docker: deployment.docker,
    containerId: db.id,
    user,
    database,
    secrets: secretsOf(db, app),
  };
  // One statement either way: query_to_xml runs the inner query only when the table exists.
  const rows = await psqlQuery(
    target,
    "SELECT CASE WHEN to_regclass('public.schema_migrations') IS NULL THEN '' ELSE coalesce((xpath('/row/m/text()', query_to_xml('SELECT max(version)::text AS m FROM public.schema_migrations', false, true, '')))[1]::text, '') END",
    'read the migration head',
  );
  const head = rows[0]?.[0] ?? '';
  return {
    dbContainerId: db.id,
    appContainerId: app?.id ?? null,
    appImageId: app?.imageId ?? null,
    appRunning: app?.running ?? false,
    migrationHead: head || null,
  };
}

/** What differs between a recorded binding and the deployment now; empty when the plan still holds. */
export function databaseBindingDifferences(recorded: DatabaseBinding, now: DatabaseBinding): string[] {
  const out: string[] = [];
  if (recorded.dbContainerId !== now.dbContainerId)
    out.push(`database container ${short(recorded.dbContainerId)} → ${short(now.dbContainerId)}`);
  if (recorded.appContainerId !== now.appContainerId)
    out.push(`app container ${short(recorded.appContainerId)} → ${short(now.appContainerId)}`);
  if (recorded.appImageId !== now.appImageId)
    out.push(`app image ${short(recorded.appImageId)} → ${short(now.appImageId)}`);
  if (recorded.appRunning !== now.appRunning)
    out.push(
      `the app was ${recorded.appRunning ? 'running' : 'stopped'} and is now ${now.appRunning ? 'running' : 'stopped'}`,
    );
  if (recorded.migrationHead !== now.migrationHead)
    out.push(`migration head ${recorded.migrationHead ?? 'none'} → ${now.migrationHead ?? 'none'}`);
  return out;
}

/** Refuses a backup or restore plan whose deployment changed since it was made, before anything is touched. */
export async function requireFreshDatabasePlan(
  kind: 'backup' | 'restore',
  recorded: DatabaseBinding,
  deployment: Deployment,
): Promise<void> {
  requireNoDifferences(kind, databaseBindingDifferences(recorded, await readDatabaseBinding(deployment)));
}
