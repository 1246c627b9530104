import { describe, expect, it } from 'vitest';
import { parseRoleRows, type RoleRecord, roleSpecsOf, roleStatements } from '../../../src/backup/roles';

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

describe('roleSpecsOf', () => {
  it('keeps login, inherit and memberships among the captured roles; drops every privilege', () => {
    const specs = roleSpecsOf([
      role('admin', {
        superuser: true,
        createRole: true,
        replication: true,
        bypassRls: true,
        createDb: true,
      }),
      role('engram_app', { login: true, memberOf: ['readers', 'engram'] }),
      role('readers', { inherit: false }),
    ]);
    expect(specs).toEqual([
      { name: 'admin', login: false, inherit: true, memberOf: [] },
      { name: 'engram_app', login: true, inherit: true, memberOf: ['readers'] },
      { name: 'readers', login: false, inherit: false, memberOf: [] },
    ]);
  });

  it('refuses a role name that is not plain, naming it', () => {
    expect(() => roleSpecsOf([role('x"; DROP')])).toThrow(/does not record/);
  });
});

describe('roleStatements', () => {
  it('creates a missing role without privileges, sets only LOGIN and INHERIT, grants after every role', () => {
    const sql = roleStatements([
      { name: 'engram_app', login: true, inherit: false, memberOf: ['readers'] },
      { name: 'readers', login: false, inherit: true, memberOf: [] },
    ]);
    expect(sql[0]).toBe(
      `DO 'BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ''engram_app'') THEN CREATE ROLE "engram_app" NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS LOGIN NOINHERIT; END IF; END'`,
    );
    expect(sql[1]).toBe('ALTER ROLE "engram_app" LOGIN NOINHERIT');
    expect(sql.at(-1)).toBe('GRANT "readers" TO "engram_app"');
    expect(sql).toHaveLength(5);
    for (const s of sql) {
      expect(s).not.toMatch(/PASSWORD|\\|(?<!NO)SUPERUSER/);
    }
  });

  it('is empty for no roles', () => {
    expect(roleStatements([])).toEqual([]);
  });
});
