import { describe, expect, it } from 'vitest';
import { parseRoleRows, type RoleRecord, rolesSql } from '../../../src/backup/roles';

/** A row as psql prints ROLES_QUERY: name, seven t/f attributes, comma-joined group names. */
function row(name: string, flags: string, groups = ''): string[] {
  return [name, ...flags.split(''), groups];
}

const ENGRAM_APP = row('engram_app', 'fffftff'); // NOSUPERUSER NOINHERIT ... LOGIN, as Engram creates it

describe('parseRoleRows', () => {
  it('reads each attribute from its own column', () => {
    const [app, admin] = parseRoleRows([ENGRAM_APP, row('admin', 'ttttttt', 'engram_app')]);
    expect(app).toEqual({
      name: 'engram_app',
      superuser: false,
      inherit: false,
      createRole: false,
      createDb: false,
      login: true,
      replication: false,
      bypassRls: false,
      memberOf: [],
    });
    expect(admin).toEqual({
      name: 'admin',
      superuser: true,
      inherit: true,
      createRole: true,
      createDb: true,
      login: true,
      replication: true,
      bypassRls: true,
      memberOf: ['engram_app'],
    });
  });

  it('reads each flag independently', () => {
    const names = [
      'superuser',
      'inherit',
      'createRole',
      'createDb',
      'login',
      'replication',
      'bypassRls',
    ] as const;
    names.forEach((field, i) => {
      const flags = names.map((_, j) => (j === i ? 't' : 'f')).join('');
      const [r] = parseRoleRows([row('r', flags)]);
      for (const other of names) expect(r?.[other], `${field} set, reading ${other}`).toBe(other === field);
    });
  });

  it('splits several memberships', () => {
    const [r] = parseRoleRows([row('reporting', 'fffftff', 'analysts,readers')]);
    expect(r?.memberOf).toEqual(['analysts', 'readers']);
  });

  // BUG: ROLES_QUERY joins group names with ',' and parseRoleRows splits on ',', so a membership in
  // a group whose (legal) name contains a comma comes back as two groups that do not exist, and the
  // GRANT in roles.sql fails on restore. This row is exactly what psql prints for groups 'ops,eu'
  // and 'readers'.
  it.fails('keeps a group name that contains a comma whole', () => {
    const [r] = parseRoleRows([row('reporting', 'fffftff', 'ops,eu,readers')]);
    expect(r?.memberOf).toEqual(['ops,eu', 'readers']);
  });
});

function role(name: string, over: Partial<RoleRecord> = {}): RoleRecord {
  return {
    name,
    superuser: false,
    inherit: true,
    createRole: false,
    createDb: false,
    login: false,
    replication: false,
    bypassRls: false,
    memberOf: [],
    ...over,
  };
}

describe('rolesSql', () => {
  it('creates a missing role only if it does not exist, then sets every attribute', () => {
    const [app] = parseRoleRows([ENGRAM_APP]);
    const sql = rolesSql([app!]);
    expect(sql).toContain(
      `DO $engram_upgrade$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'engram_app') THEN CREATE ROLE "engram_app"; END IF; END $engram_upgrade$;`,
    );
    expect(sql).toContain(
      'ALTER ROLE "engram_app" NOSUPERUSER NOINHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS;',
    );
    // No bare CREATE ROLE outside the existence check: running the file twice must not fail.
    const bare = sql.split('\n').filter((l) => /CREATE ROLE/.test(l) && !/IF NOT EXISTS/.test(l));
    expect(bare).toEqual([]);
  });

  it('quotes odd role names as identifiers and as string literals', () => {
    const sql = rolesSql([role('we"ird'), role("o'brien"), role('Mixed Case')]);
    expect(sql).toContain(`rolname = 'we"ird') THEN CREATE ROLE "we""ird";`);
    expect(sql).toContain('ALTER ROLE "we""ird" ');
    expect(sql).toContain(`rolname = 'o''brien') THEN CREATE ROLE "o'brien";`);
    expect(sql).toContain('ALTER ROLE "Mixed Case" ');
  });

  it('grants memberships after every role exists', () => {
    const sql = rolesSql([
      role('reporting', { memberOf: ['readers', 'we"ird'] }),
      role('readers'),
      role('we"ird'),
    ]);
    const lines = sql.trimEnd().split('\n');
    const grants = lines.filter((l) => l.startsWith('GRANT'));
    expect(grants).toEqual(['GRANT "readers" TO "reporting";', 'GRANT "we""ird" TO "reporting";']);
    const lastCreate = Math.max(...lines.map((l, i) => (l.startsWith('DO ') ? i : -1)));
    expect(lines.indexOf(grants[0]!)).toBeGreaterThan(lastCreate);
  });

  it('never sets or mentions a password', () => {
    const sql = rolesSql([role('engram_app', { login: true }), role('admin', { superuser: true })]);
    const statements = sql.split('\n').filter((l) => l !== '' && !l.startsWith('--'));
    expect(statements).toHaveLength(4);
    for (const s of statements) expect(s).not.toMatch(/PASSWORD/i);
  });

  it('is a comment only for no roles', () => {
    expect(rolesSql([]).trim().split('\n')).toHaveLength(1);
    expect(rolesSql([]).trim()).toMatch(/^--/);
  });

  // BUG: the existence check is wrapped in the fixed dollar-quote tag $engram_upgrade$. A (legal)
  // role name containing that tag ends the DO body early; the rest of the line is parsed as plain
  // SQL when roles.sql is replayed as a superuser. The tag must not occur in the quoted body.
  it.fails('keeps the DO body closed for a role name that contains the dollar-quote tag', () => {
    const sql = rolesSql([role('x$engram_upgrade$;DROP DATABASE engram;--')]);
    const doLine = sql.split('\n').find((l) => l.startsWith('DO '))!;
    const tag = doLine.match(/^DO (\$[a-z_]*\$)/)?.[1] ?? '';
    // Exactly one opening and one closing tag on the line.
    expect(doLine.split(tag).length - 1).toBe(2);
  });
});
