import { ident, literal } from '../db/psql';

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
 * Idempotent psql input that creates missing roles with their attributes (no passwords) and
 * memberships. Names only ever appear quoted as a literal or an identifier: `\gexec` runs the
 * CREATE ROLE a query produced, so no dollar-quoted block can be closed by a hostile name.
 */
export function rolesSql(roles: RoleRecord[]): string {
  const lines = ['-- Cluster roles captured by engram-upgrade (no passwords). Safe to run more than once.'];
  for (const r of roles) {
    const attrs = [
      r.superuser ? 'SUPERUSER' : 'NOSUPERUSER',
      r.inherit ? 'INHERIT' : 'NOINHERIT',
      r.createRole ? 'CREATEROLE' : 'NOCREATEROLE',
      r.createDb ? 'CREATEDB' : 'NOCREATEDB',
      r.login ? 'LOGIN' : 'NOLOGIN',
      r.replication ? 'REPLICATION' : 'NOREPLICATION',
      r.bypassRls ? 'BYPASSRLS' : 'NOBYPASSRLS',
    ].join(' ');
    lines.push(
      `SELECT ${literal(`CREATE ROLE ${ident(r.name)}`)} WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(r.name)})\\gexec`,
      `ALTER ROLE ${ident(r.name)} ${attrs};`,
    );
  }
  for (const r of roles) for (const g of r.memberOf) lines.push(`GRANT ${ident(g)} TO ${ident(r.name)};`);
  return `${lines.join('\n')}\n`;
}
