import { mkdtemp, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackupOptions, BackupPlanSchema, backup } from '../../../src/backup';
import { type Deployment, openDeployment } from '../../../src/deployment/deployment';
import { UpgradeError } from '../../../src/errors';
import { composeContainer, FakeDocker } from '../fakes/fake-docker';
import { type PsqlLog, psqlResponder } from '../fakes/fake-psql';

const CANARY = 'Canary-Pw-7f3a!x';
const MASTER_KEY = 'bWFzdGVyLWtleS1jYW5hcnktMzItYnl0ZXMtbG9uZyE=';
const NOW = new Date('2026-03-04T05:06:07.890Z');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engram-plan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function stack(
  opts: {
    dbRunning?: boolean;
    appRunning?: boolean;
    withApp?: boolean;
    /** What `nproc` prints in the Postgres container; absent: no nproc there. */
    nproc?: string;
    /** The largest table's and all tables' data, in bytes. */
    tableBytes?: [number, number];
  } = {},
) {
  const containers = [
    composeContainer('engram', 'postgres', {
      image: 'postgres:18.1',
      running: opts.dbRunning ?? true,
      env: ['POSTGRES_USER=engram', `POSTGRES_PASSWORD=${CANARY}`, 'POSTGRES_DB=engram'],
    }),
  ];
  if (opts.withApp ?? true) {
    containers.push(
      composeContainer('engram', 'engram', {
        image: 'ghcr.io/engram-app/engram:0.17.0',
        running: opts.appRunning ?? true,
        env: [
          `DATABASE_URL=postgres://engram:${encodeURIComponent(CANARY)}@postgres:5432/engram`,
          `ENCRYPTION_MASTER_KEY=${MASTER_KEY}`,
        ],
      }),
    );
  }
  const log: PsqlLog = { sql: [] };
  const docker = new FakeDocker(
    containers,
    psqlResponder(
      (sql) => {
        if (sql.includes('server_version')) return [['18.1 (Debian 18.1-1.pgdg13+2)', '180001', '73400320']];
        if (sql.includes('schema_migrations')) return [['20250301000000']];
        if (sql.includes('pg_table_size') && opts.tableBytes) return [opts.tableBytes.map(String)];
        return { error: `unexpected query ${sql}` };
      },
      log,
      (exec) =>
        exec.cmd[0] === 'nproc' && opts.nproc !== undefined
          ? { exitCode: 0, stdout: opts.nproc }
          : { exitCode: 127, stderr: `${exec.cmd[0]}: not found` },
    ),
  );
  return { docker, log };
}

async function open(docker: FakeDocker): Promise<Deployment> {
  return openDeployment({ project: 'engram', docker });
}

async function refusal(p: Promise<unknown>): Promise<UpgradeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeError);
  return err as UpgradeError;
}

describe('backup() planning', () => {
  it('returns a plan that survives JSON and validates against BackupPlanSchema', async () => {
    const { docker } = stack();
    const plan = await backup(await open(docker), { dir, now: () => NOW });
    const copy = JSON.parse(JSON.stringify(plan));
    expect(copy).toEqual(plan);
    expect(BackupPlanSchema.parse(copy)).toEqual(plan);
    expect(plan.id).toBe('engram-20260304T050607Z');
    expect(plan.createdAt).toBe(NOW.toISOString());
    expect(plan.destination).toEqual({
      dir,
      path: join(dir, 'engram-20260304T050607Z'),
      tempPath: join(dir, '.engram-20260304T050607Z.partial-XXXXXX'),
    });
    expect(plan.source).toMatchObject({
      dbContainer: 'engram-postgres-1',
      dbImage: 'postgres:18.1',
      database: 'engram',
      user: 'engram',
      serverMajor: 18,
      sizeBytes: 73400320,
      appContainer: 'engram-engram-1',
      appImage: 'ghcr.io/engram-app/engram:0.17.0',
      appRunning: true,
    });
    expect(plan.dump).toEqual({ where: 'container', client: 'pg_dump in the Postgres container' });
    expect(plan.space.requiredBytes).toBe(73400320);
    expect(plan.verify.level).toBe(1);
  });

  it('changes nothing while planning: no container stopped or started, no file written', async () => {
    const { docker } = stack();
    await backup(await open(docker), { dir, mode: 'quiesced', now: () => NOW });
    expect(docker.containers.every((c) => c.running)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('never puts the database password or the master key into the plan', async () => {
    const { docker } = stack();
    for (const mode of ['online', 'quiesced'] as const) {
      const plan = await backup(await open(docker), { dir, mode, verifyLevel: 2, now: () => NOW });
      const text = JSON.stringify(plan);
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(encodeURIComponent(CANARY));
      expect(text).not.toContain(MASTER_KEY);
    }
  });

  it('refuses when the Postgres container is stopped, saying nothing changed and how to go on', async () => {
    const { docker } = stack({ dbRunning: false });
    const err = await refusal(backup(await open(docker), { dir }));
    expect(err.code).toBe('BACKUP_FAILED');
    expect(err.message).toContain('engram-postgres-1 is not running');
    expect(err.message).toContain('Nothing was changed');
    expect(err.message).toContain('docker compose up -d postgres');
  });

  it('refuses with BACKUP_NO_SPACE when the dir has less free space than required', async () => {
    const { docker } = stack();
    const free = await statfs(dir);
    const required = Number.MAX_SAFE_INTEGER;
    expect(free.bavail * free.bsize).toBeLessThan(required);
    const err = await refusal(backup(await open(docker), { dir, requiredFreeBytes: required }));
    expect(err.code).toBe('BACKUP_NO_SPACE');
    expect(err.message).toContain(dir);
    expect(err.message).toContain(String(required));
    expect(err.message).toContain('Nothing was changed');
  });

  it('records the free space it measured', async () => {
    const { docker } = stack();
    const plan = await backup(await open(docker), { dir, requiredFreeBytes: 1 });
    expect(plan.space.requiredBytes).toBe(1);
    expect(plan.space.availableBytes).toBeGreaterThan(0);
  });

  // executeBackup creates the dir later, so the check measures its nearest existing parent.
  it('checks free space even when the backup dir is still to be created', async () => {
    const { docker } = stack();
    const err = await refusal(
      backup(await open(docker), {
        dir: join(dir, 'not-yet', 'created'),
        requiredFreeBytes: Number.MAX_SAFE_INTEGER,
      }),
    );
    expect(err.code).toBe('BACKUP_NO_SPACE');
  });

  it.each([
    ['a relative path', 'backups/engram'],
    ['a NUL byte', '/var/backups/engram\0/etc'],
    ['a newline', '/var/backups/engram\n/etc'],
    ['a carriage return', '/var/backups/engram\r'],
    ['an empty string', ''],
    ['a path longer than 1024 characters', `/${'a'.repeat(1100)}`],
  ])('rejects a dir that is %s before touching Docker', async (_what, bad) => {
    const { docker } = stack();
    const dep = await open(docker);
    docker.calls.length = 0;
    const err = await refusal(backup(dep, { dir: bad }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('Nothing was changed');
    expect(docker.calls).toEqual([]);
  });

  it.each([
    ['a shell command in the host', { host: 'db;touch /tmp/pwned', port: 5432 }],
    ['a space in the host', { host: 'db host', port: 5432 }],
    ['an empty host', { host: '', port: 5432 }],
    ['port 0', { host: 'localhost', port: 0 }],
    ['port 65536', { host: 'localhost', port: 65536 }],
    ['a fractional port', { host: 'localhost', port: 54.32 }],
    ['NaN as the port', { host: 'localhost', port: Number.NaN }],
  ])('rejects a host dump target with %s before touching Docker', async (_what, target) => {
    const { docker } = stack();
    const dep = await open(docker);
    docker.calls.length = 0;
    const err = await refusal(backup(dep, { dir, dump: { where: 'host', ...target } }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(docker.calls).toEqual([]);
  });

  it('online mode plans no stop or start of the app, and every step says how it is undone', async () => {
    const { docker } = stack();
    const plan = await backup(await open(docker), { dir, mode: 'online' });
    expect(plan.mode).toBe('online');
    expect(plan.steps.map((s) => s.id)).toEqual(['prepare', 'dump', 'verify', 'commit']);
    for (const s of plan.steps) {
      expect(s.irreversible === true || (s.undo?.length ?? 0) > 0, s.id).toBe(true);
    }
  });

  it('quiesced mode stops the app first and starts it last, each with its undo', async () => {
    const { docker } = stack();
    const plan = await backup(await open(docker), { dir, mode: 'quiesced' });
    const ids = plan.steps.map((s) => s.id);
    expect(ids.slice(0, 2)).toEqual(['prepare', 'stop-app']);
    expect(ids.at(-1)).toBe('start-app');
    const stop = plan.steps[1]!;
    const start = plan.steps.at(-1)!;
    expect(stop.action).toContain('Stop engram-engram-1');
    expect(stop.undo).toBe('Start engram-engram-1 again');
    expect(start.action).toBe('Start engram-engram-1 again');
    // Starting the app again is its own group: its failure never undoes a complete backup.
    expect(start.group).not.toBe(stop.group);
  });

  it('quiesced mode with restartApp: false leaves the app stopped for what follows', async () => {
    const { docker } = stack();
    const plan = await backup(await open(docker), { dir, mode: 'quiesced', restartApp: false });
    expect(plan.restartApp).toBe(false);
    expect(plan.steps[1]?.id).toBe('stop-app');
    expect(plan.steps.map((s) => s.id)).not.toContain('start-app');
  });

  it('binds the plan to the containers, the app state and the migration head it saw', async () => {
    const { docker } = stack();
    const plan = await backup(await open(docker), { dir, mode: 'quiesced' });
    expect(plan.boundTo).toMatchObject({
      dbContainerId: 'engram-postgres-1-id',
      appContainerId: 'engram-engram-1-id',
      appRunning: true,
      migrationHead: '20250301000000',
    });
    expect(plan.steps.find((s) => s.id === 'stop-app')?.input).toEqual({ container: 'engram-engram-1-id' });
  });

  it('compresses with zstd on a Postgres 16+ server, and with gzip when asked', async () => {
    const { docker } = stack();
    const dep = await open(docker);
    const auto = await backup(dep, { dir });
    expect(auto.compression).toBe('zstd');
    expect(auto.steps.find((s) => s.id === 'dump')?.action).toContain('pg_dump -Fc (zstd:1)');
    expect((await backup(dep, { dir, compression: 'gzip' })).compression).toBe('gzip');
  });

  it('quiesced mode has nothing to stop when the app is not running', async () => {
    const { docker } = stack({ appRunning: false });
    const plan = await backup(await open(docker), { dir, mode: 'quiesced' });
    expect(plan.source.appRunning).toBe(false);
    expect(plan.steps.map((s) => s.id)).toEqual(['prepare', 'dump', 'verify', 'commit']);
  });

  it('plans a deployment whose app container is gone', async () => {
    const { docker } = stack({ withApp: false });
    const plan = await backup(await open(docker), { dir });
    expect(plan.source.appContainer).toBeNull();
    expect(plan.source.appImage).toBeNull();
  });

  it('names level 2 verification in the plan when asked for', async () => {
    const { docker } = stack();
    const options: BackupOptions = { dir, verifyLevel: 2 };
    const plan = await backup(await open(docker), options);
    expect(plan.verify.level).toBe(2);
    expect(plan.steps.find((s) => s.id === 'verify')?.action).toContain('throwaway Postgres');
  });

  it('reads version and size as the database user, in the database, with psql in the container', async () => {
    const { docker, log } = stack();
    await backup(await open(docker), { dir });
    const all = docker.calls.filter((c) => c.method === 'exec');
    // The container's processors, for the choice of the dump format (it is not a database read).
    const nproc = all.filter((c) => (c.args[1] as { cmd: string[] }).cmd[0] === 'nproc');
    expect(nproc).toHaveLength(1);
    const execs = all.filter((c) => !nproc.includes(c));
    // Version and size, then the migration head the plan is bound to.
    expect(execs).toHaveLength(2);
    for (const exec of execs) {
      const [containerId, req] = exec.args as [string, { cmd: string[] }];
      expect(containerId).toBe('engram-postgres-1-id');
      const argv = req.cmd;
      expect(argv.slice(argv.indexOf('-U'), argv.indexOf('-U') + 4)).toEqual([
        '-U',
        'engram',
        '-d',
        'engram',
      ]);
      expect(argv.join(' ')).not.toContain(CANARY);
    }
    expect(log.sql).toHaveLength(2);
  });

  it('chooses the dump format from the processors and how the table data is spread, and says why', async () => {
    const GiB = 1024 ** 3;
    const spread = stack({ nproc: '2\n', tableBytes: [GiB / 4, GiB] });
    const plan = await backup(await open(spread.docker), { dir, mode: 'quiesced' });
    expect(plan).toMatchObject({ format: 'directory', jobs: 2, compression: 'zstd' });
    expect(plan.formatReason).toContain('2 parallel jobs');
    expect(plan.steps.find((s) => s.id === 'dump')?.action).toContain('pg_dump -Fd -j 2 (zstd:1)');
    expect(BackupPlanSchema.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);

    const oneTable = stack({ nproc: '2\n', tableBytes: [0.95 * GiB, GiB] });
    const custom = await backup(await open(oneTable.docker), { dir });
    expect(custom).toMatchObject({ format: 'custom', jobs: 1 });
    expect(custom.formatReason).toContain('the largest table holds 95%');
    expect(custom.steps.find((s) => s.id === 'dump')?.action).toContain('pg_dump -Fc (zstd:1)');

    // Forced: no table sizes are read.
    const forced = stack({ nproc: '8\n' });
    expect(await backup(await open(forced.docker), { dir, format: 'directory' })).toMatchObject({
      format: 'directory',
      jobs: 4,
    });
    expect(forced.log.sql.some((q) => q.includes('pg_table_size'))).toBe(false);
  });

  it('keeps a plan saved before the format was recorded valid: custom, one job', async () => {
    const plan = JSON.parse(JSON.stringify(await backup(await open(stack().docker), { dir })));
    delete plan.format;
    delete plan.jobs;
    delete plan.formatReason;
    expect(BackupPlanSchema.parse(plan)).toMatchObject({ format: 'custom', jobs: 1 });
  });

  it('turns a psql failure into a DATABASE error without the password', async () => {
    const containers = [composeContainer('engram', 'postgres', { env: [`POSTGRES_PASSWORD=${CANARY}`] })];
    const docker = new FakeDocker(
      containers,
      psqlResponder(() => ({ error: `password authentication failed (password was ${CANARY})` })),
    );
    const err = await refusal(backup(await open(docker), { dir }));
    expect(err.code).toBe('DATABASE');
    expect(err.message).toContain('read the server version and database size');
    expect(err.message).toContain('password authentication failed');
    expect(err.message).not.toContain(CANARY);
  });
});
