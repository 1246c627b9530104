import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { type SecretSet, tailOf } from '../secrets';

export const FIELD_SEP = '\u001f';

export interface PsqlTarget {
  docker: DockerPort;
  containerId: string;
  user: string;
  database: string;
  secrets?: SecretSet;
}

/** psql argv: unaligned, tuples only, our field separator, stop on the first error. */
export function psqlArgs(user: string, database: string): string[] {
  return ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-F', FIELD_SEP, '-U', user, '-d', database];
}

/**
 * Runs SQL with psql inside the Postgres container (version-matched, local socket). A list runs as
 * one `-c` per item in one psql process, in order, each in its own transaction unless it opens one,
 * stopping at the first that fails; the rows of all of them come back in order. One process instead
 * of several: each `docker exec` costs the engine tens of milliseconds of CPU.
 */
export async function psqlQuery(
  target: PsqlTarget,
  sql: string | readonly string[],
  what: string,
): Promise<string[][]> {
  const statements = typeof sql === 'string' ? [sql] : sql;
  const r = await target.docker.exec(target.containerId, {
    cmd: [...psqlArgs(target.user, target.database), ...statements.flatMap((s) => ['-c', s])],
  });
  if (r.exitCode !== 0) {
    const detail = tailOf(r.stderr, target.secrets);
    throw new UpgradeError('DATABASE', {
      message: `Could not ${what}: ${detail || `psql exited ${r.exitCode}`}`,
    });
  }
  return splitRows(r.stdout);
}

export function splitRows(out: string): string[][] {
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(FIELD_SEP));
}

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes an SQL string literal. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
