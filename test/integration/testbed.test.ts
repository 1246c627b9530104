import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { run } from '../../src/process/run-command';
import { type EngramStack, engramImage, startEngramStack } from '../../src/testing';

describe('test bed: Engram stand-in on real Postgres through the harness', () => {
  it('boots A then B on the same database and B applies only its new migrations', async () => {
    await using stack = await startEngramStack({ version: '0.14.1', pull: true });
    expect(await stack.health()).toEqual({
      status: 200,
      body: { status: 'ok', version: '0.14.1', build_sha: '8d04e71' },
    });
    const before = await stack.migrationVersions();
    expect(before).toEqual(['20260602000000', '20260715090000']);
    const notes = Number((await stack.query('SELECT count(*) FROM notes'))[0]![0]);
    expect(notes).toBe(30);

    // The operator's procedure: bump the tag in compose.yaml, then `docker compose up -d`.
    stack.useVersion('0.15.0');
    await stack.compose(['up', '-d', '--wait', 'engram']);

    expect((await stack.health()).body).toMatchObject({ version: '0.15.0', build_sha: 'b7e9f30' });
    expect(await stack.migrationVersions()).toEqual([...before, '20260808100000', '20260808100100']);
    expect(Number((await stack.query('SELECT count(*) FROM notes'))[0]![0])).toBe(30);

    // Ecto's lines, as prod JSON log lines among plain-text lines.
    const lines = (await stack.logs()).split('\n').filter(Boolean);
    const json = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { message: string; severity: string });
    const messages = json.map((j) => j.message);
    expect(messages).toContain('== Running 20260808100000 Engram.Repo.Migrations.CreateNoteLinksExpand.up/0');
    expect(messages.some((m) => /^== Migrated 20260808100100 in \d+\.\ds$/.test(m))).toBe(true);
    expect(messages.some((m) => m.startsWith('execute "ALTER TABLE notes ADD COLUMN pinned'))).toBe(true);
    expect(json.every((j) => typeof j.severity === 'string')).toBe(true);
    // Like the real stream: JSON lines mixed with plain text (env.sh's warning, printed by every
    // bin/engram call when no CPU quota is readable).
    expect(lines.filter((l) => !l.startsWith('{')).every((l) => l.startsWith('rel/env.sh: WARNING'))).toBe(
      true,
    );
    expect(lines.some((l) => l.startsWith('rel/env.sh: WARNING'))).toBe(true);
  });

  it('rollback from the new image is inclusive: down to V reverts V and everything above it', async () => {
    await using stack = await startEngramStack({ version: '0.15.0', seed: false });
    expect(await stack.migrationVersions()).toContain('20260808100100');
    const network = `${stack.projectName}_default`;
    const r = await run(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        network,
        '--env-file',
        stack.envFile,
        '-e',
        'DATABASE_URL',
        '--entrypoint',
        '/app/bin/engram',
        engramImage('0.15.0'),
        'eval',
        'Engram.Release.rollback(Engram.Repo, 20260808100000)',
      ],
      {
        env: {
          ...process.env,
          DATABASE_URL: `ecto://engram:${stack.secrets.postgresPassword}@postgres:5432/engram`,
        },
      },
    );
    expect(r.stdout).toContain('Engram.Repo.Migrations.AddNotesPinnedExpand.down/0');
    expect(r.stdout).toContain('Engram.Repo.Migrations.CreateNoteLinksExpand.down/0');
    expect(await stack.migrationVersions()).toEqual(['20260602000000', '20260715090000']);
    const cols = await stack.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'pinned'",
    );
    expect(cols).toEqual([]);
  });

  it('a wrong master key fails app start only after migrations were applied (boot canary)', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    // Swap the key and upgrade: 0.15.1 has no migrations, so use 0.16.0, which has one.
    const wrongKey = Buffer.alloc(32, 7).toString('base64');
    const envText = readFileSync(stack.envFile, 'utf8');
    writeFileSync(
      stack.envFile,
      envText.replace(/^ENCRYPTION_MASTER_KEY=.*$/m, `ENCRYPTION_MASTER_KEY=${wrongKey}`),
    );
    stack.useVersion('0.16.0');
    await stack.compose(['up', '-d', 'engram']);
    const id = await stack.containerId('engram');
    const deadline = Date.now() + 60_000;
    let restarts = 0;
    while (Date.now() < deadline) {
      restarts = (await stack.docker.inspect(id)).restartCount;
      if (restarts >= 1) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(restarts).toBeGreaterThanOrEqual(1);
    expect(await stack.migrationVersions()).toContain('20260814120000');
    const logs = await stack.logs();
    expect(logs).toContain('boot canary check failed');
    expect(logs).toMatch(/== Migrated 20260814120000/);
    await expect(stack.health()).rejects.toThrow();
  });

  it('Preflight over rpc needs a running node and the release that has it', async () => {
    await using stack = await startEngramStack({ version: '0.15.1', seed: false });
    const r = await stack.exec('engram', ['/app/bin/engram', 'rpc', 'Engram.Release.Preflight.run()']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('No pending migrations. Database is at the latest version.');
    expect(r.stdout).toContain('(Already-run migrations: 4)');
    const version = await stack.exec('engram', ['/app/bin/engram', 'version']);
    expect(version.stdout.trim()).toBe('engram 0.15.1');

    // A one-off container has no running node to talk to.
    const oneOff = await run(
      'docker',
      [
        'run',
        '--rm',
        '--entrypoint',
        '/app/bin/engram',
        engramImage('0.15.1'),
        'rpc',
        'Engram.Release.Preflight.run()',
      ],
      { allowFail: true },
    );
    expect(oneOff.stderr).toContain('RPC failed with reason :nodedown');
    expect(oneOff.code).toBe(1);
  });

  // These three only read the stack, but the last one changes the owner's password: one stack, in order.
  describe('on one 0.15.0 stack', () => {
    let stack: EngramStack;
    beforeAll(async () => {
      stack = await startEngramStack({ version: '0.15.0', seed: false });
    });
    afterAll(async () => {
      await stack?.dispose();
    });

    it('Preflight is not available over rpc before 0.15.1', async () => {
      const r = await stack.exec('engram', ['/app/bin/engram', 'rpc', 'Engram.Release.Preflight.run()']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(
        '(UndefinedFunctionError) function Engram.Release.Preflight.run/0 is undefined',
      );
    });

    it('runs Postgres 18 like the stock compose file: the named volume at /var/lib/postgresql, the data in 18/docker', async () => {
      expect((await stack.query('SHOW server_version_num'))[0]![0]).toMatch(/^18\d{4}$/);
      expect((await stack.query('SHOW data_directory'))[0]![0]).toBe('/var/lib/postgresql/18/docker');
      const inspect = await run('docker', [
        'inspect',
        '--format',
        '{{json .Mounts}}',
        await stack.containerId('postgres'),
      ]);
      const mounts = JSON.parse(inspect.stdout) as { Type: string; Name: string; Destination: string }[];
      // One volume, the named one: no anonymous volume beside it that a recreate would lose track of.
      expect(mounts.map((m) => [m.Type, m.Name, m.Destination])).toEqual([
        ['volume', `${stack.projectName}_pg_data`, '/var/lib/postgresql'],
      ]);
    });

    it('query() over the published port gives what psql -At prints, and falls back to psql when it cannot connect', async () => {
      const sql =
        "SELECT 42, 9007199254740993::bigint, true, NULL, '2026-01-02 03:04:05.5+02'::timestamptz, '{\"a\": [1, 2.50]}'::json, 1.50::numeric, interval '1 day 2 hours';" +
        "SELECT false, 'two statements';" +
        'CREATE TEMP TABLE t (a int);' +
        'INSERT INTO t VALUES (1), (NULL) RETURNING a;' +
        'SELECT NULL;' +
        'SELECT 1 WHERE false';
      const psql = async (): Promise<string[][]> => {
        const r = await stack.exec('postgres', [
          'psql',
          '-X',
          '-v',
          'ON_ERROR_STOP=1',
          '-U',
          'engram',
          '-d',
          stack.database,
          '-At',
          '-F',
          '\u001f',
          '-c',
          sql,
        ]);
        expect(r.exitCode).toBe(0);
        return r.stdout
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => l.split('\u001f'));
      };
      const expected = await psql();
      expect(expected).toEqual([
        [
          '42',
          '9007199254740993',
          't',
          '',
          '2026-01-02 01:04:05.5+00',
          '{"a": [1, 2.50]}',
          '1.50',
          '1 day 02:00:00',
        ],
        ['f', 'two statements'],
        ['CREATE TABLE'],
        ['1'],
        ['INSERT 0 2'],
      ]);
      expect(await stack.query(sql)).toEqual(expected);
      // Over TCP (the port), where psql in the container comes in over the socket.
      expect(await stack.query('SELECT inet_client_addr() IS NOT NULL')).toEqual([['t']]);

      const failed = await stack.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
      expect(failed).toMatchObject({
        code: 'TESTBED',
        message: expect.stringContaining('relation "no_such_table" does not exist'),
      });

      // No connection over the port (the password changed): psql in the container answers the same.
      await stack.query("ALTER ROLE engram PASSWORD 'changed-by-the-test'");
      expect(await stack.query(sql)).toEqual(expected);
      expect(await stack.query('SELECT inet_client_addr() IS NOT NULL')).toEqual([['f']]);
      const failedInside = await stack.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
      expect(failedInside).toMatchObject({
        code: 'TESTBED',
        message: expect.stringContaining('psql failed'),
      });
      expect(JSON.stringify(failedInside)).not.toContain(stack.secrets.postgresPassword);
    });
  });

  it('dispose also removes the anonymous volumes a recreated container was handed', async () => {
    const stack = await startEngramStack({ version: '0.15.0', seed: false });
    let volume = '';
    try {
      const file = join(stack.dir, 'compose.yaml');
      const doc = parseDocument(readFileSync(file, 'utf8'));
      doc.setIn(['services', 'engram', 'volumes'], ['/app/cache']);
      writeFileSync(file, doc.toString());
      await stack.compose(['up', '-d', 'engram']);
      // Booted first: an app still in its entrypoint (a shell as PID 1) waits out the stop timeout.
      await stack.waitHealthy();
      await stack.compose(['up', '-d', '--force-recreate', 'engram']);
      const inspect = await run('docker', [
        'inspect',
        '--format',
        '{{json .Mounts}}',
        await stack.containerId('engram'),
      ]);
      const mounts = JSON.parse(inspect.stdout) as { Name: string; Destination: string }[];
      volume = mounts.find((m) => m.Destination === '/app/cache')?.Name ?? '';
      expect(volume).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await stack.dispose();
    }
    expect((await run('docker', ['volume', 'inspect', volume], { allowFail: true })).code).not.toBe(0);
  });
});
