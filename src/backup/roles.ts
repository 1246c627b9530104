import { ident, literal } from '../db/psql';
import { UpgradeError } from '../errors';
import { PLAIN_NAME, type RoleSpec } from './manifest';

/** A cluster role as pg_roles describes it; passwords are never read. */
export interface RoleRecord {
  name: string;
  superuser: boolean;
  inherit: boolean;
  createRole: boolean;
  createDb: boolean;
  login: boolean;
  replication: boolean;
  bypassRls: boolean;
  memberOf: string[];
}

/** Every non-system role except the one the dump runs as (the target is initialised with it). */
export const ROLES_QUERY = `SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
  r.rolreplication, r.rolbypassrls,
  coalesce((SELECT string_agg(g.rolname, E'\\x1e' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
    WHERE m.member = r.oid AND g.rolname NOT LIKE 'pg\\_%'), '')
FROM pg_roles r WHERE r.rolname NOT LIKE 'pg\\_%' AND r.rolname <> current_user ORDER BY r.rolname`;

/** Separates group names in one field; a role name may contain commas but not this control character. */
const GROUP_SEP = '\u001e';

export function parseRoleRows(rows: string[][]): RoleRecord[] {
  return rows.map((r) => ({
    name: r[0]!,
    superuser: r[1] === 't',
    inherit: r[2] === 't',
    createRole: r[3] === 't',
    createDb: r[4] === 't',
    login: r[5] === 't',
    replication: r[6] === 't',
    bypassRls: r[7] === 't',
    memberOf: r[8] ? r[8].split(GROUP_SEP) : [],
  }));
}

/**
 * What a backup records of the roles: login, inherit and memberships among the captured roles. The
 * privileged attributes are left out on purpose (a restore never grants them), and so is membership
 * in a role outside the set (the dump user is a superuser). A name that is not plain is refused, so
 * the backup is not taken rather than taken with a role missing that the restore would need.
 */
export function roleSpecsOf(records: RoleRecord[]): RoleSpec[] {
  const odd = records.find((r) => !PLAIN_NAME.test(r.name));
  if (odd) {
    throw new UpgradeError('BACKUP_FAILED', {
      message: `The cluster has a role named ${JSON.stringify(odd.name.slice(0, 80))}, which engram-upgrade does not record: role names may hold only letters, digits, _ . - (at most 63)`,
      unchanged: 'Nothing was changed; the database was only read',
      hint: 'Rename or drop that role (ALTER ROLE … RENAME TO …), then run the backup again',
    });
  }
  const names = new Set(records.map((r) => r.name));
  return records.map((r) => ({
    name: r.name,
    login: r.login,
    inherit: r.inherit,
    memberOf: r.memberOf.filter((g) => names.has(g) && g !== r.name),
  }));
}

/**
 * Statements, one per element, that create the missing roles and memberships. Built here from
 * validated data with every name quoted; nothing from a backup is ever run as a script. An existing
 * role keeps its other attributes: only LOGIN and INHERIT are set, and no privilege is taken away or
 * added. Each statement is idempotent, so a restore can be repeated.
 */
export function roleStatements(specs: RoleSpec[]): string[] {
  const out: string[] = [];
  for (const r of specs) {
    const attrs = `${r.login ? 'LOGIN' : 'NOLOGIN'} ${r.inherit ? 'INHERIT' : 'NOINHERIT'}`;
    out.push(
      `DO ${literal(`BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(r.name)}) THEN CREATE ROLE ${ident(r.name)} NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS ${attrs}; END IF; END`)}`,
      `ALTER ROLE ${ident(r.name)} ${attrs}`,
    );
  }
  for (const r of specs) for (const g of r.memberOf) out.push(`GRANT ${ident(g)} TO ${ident(r.name)}`);
  return out;
}
