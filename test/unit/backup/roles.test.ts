import { describe, expect, it } from 'vitest';
import { parseRoleRows, type RoleRecord, rolesSql } from '../../../src/backup/roles';

/** A row as psql prints ROLES_QUERY: name, seven t/f attributes, group names joined by U+001E. */
function row(name: string, flags: string, groups: string[] = []): string[] {
  return [name, ...flags.split(''), groups.join('\u001e')];
}

const ENGRAM_APP = row('engram_app', 'fffftff'); // NOSUPERUSER NOINHERIT ... LOGIN, as Engram creates it

describe('parseRoleRows', () => {
  it('reads each attribute from its own column', () => {
    const [app, admin] = parseRoleRows([ENGRAM_APP, row('admin', 'ttttttt', ['engram_app'])]);
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
    const [r] = parseRoleRows([row('reporting', 'fffftff', ['analysts', 'readers'])]);
    expect(r?.memberOf).toEqual(['analysts', 'readers']);
  });

  // Role names may contain commas, so group names are joined with a control character instead.
  it('keeps a group name that contains a comma whole', () => {
    const [r] = parseRoleRows([row('reporting', 'fffftff', ['ops,eu', 'readers'])]);
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
      `SELECT 'CREATE ROLE "engram_app"' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'engram_app')\\gexec`,
    );
    expect(sql).toContain(
      'ALTER ROLE "engram_app" NOSUPERUSER NOINHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS;',
    );
    // No bare CREATE ROLE outside the existence check: running the file twice must not fail.
    const bare = sql
      .split('\n')
      .filter((l) => /CREATE ROLE/.test(l) && !/WHERE NOT EXISTS .*\\gexec$/.test(l));
    expect(bare).toEqual([]);
  });

  it('quotes odd role names as identifiers and as string literals', () => {
    const sql = rolesSql([role('we"ird'), role("o'brien"), role('Mixed Case')]);
    expect(sql).toContain(
      `SELECT 'CREATE ROLE "we""ird"' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'we"ird')`,
    );
    expect(sql).toContain('ALTER ROLE "we""ird" ');
    expect(sql).toContain(
      `SELECT 'CREATE ROLE "o''brien"' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'o''brien')`,
    );
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

  // A hostile name must stay inside its quotes: no dollar-quoted block exists that it could close.
  it('quotes a hostile role name only as a literal and an identifier', () => {
    const name = 'x$engram_upgrade$;DROP DATABASE engram;--';
    const sql = rolesSql([role(name)]);
    expect(sql).not.toMatch(/^DO /m);
    const create = sql.split('\n').find((l) => l.endsWith('\\gexec'))!;
    expect(create).toBe(
      `SELECT 'CREATE ROLE "${name}"' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${name}')\\gexec`,
    );
    expect(sql).toContain(`ALTER ROLE "${name}" `);
  });
});
