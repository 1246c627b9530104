import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock, readRunLock, runLockPath } from '../../../src/execute/run-lock';
import { currentBootId, type RunLockOwner } from '../../../src/execute/run-lock-owner';
import { newRunId } from '../../../src/execute/state-dir';
import { untilMoment } from './run-lock-moment';

let dir: string;
const children: ChildProcessWithoutNullStreams[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engram-test-'));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const PROJECT = 'engram';
const run = (n: number) => `20261129T023554Z-${n.toString(16).padStart(8, '0')}`;

/** The pid of a process that has exited (and been reaped), so nothing answers to it. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  if (!pid) throw new Error('could not start a short-lived process');
  return pid;
}

function writeLock(owner: Partial<RunLockOwner>, project = PROJECT): string {
  const bootId = currentBootId();
  const full = {
    pid: deadPid(),
    host: hostname(),
    startedAt: '2026-11-29T02:00:00.000Z',
    run: run(0xdead),
    purpose: 'upgrade',
    ...(bootId ? { bootId } : {}),
    ...owner,
  };
  const path = runLockPath(dir, project);
  writeFileSync(path, `${JSON.stringify(full)}\n`, { mode: 0o600 });
  return path;
}

describe('acquireRunLock', () => {
  it('writes an owner-only lock file naming pid, host, start time, run and purpose', async () => {
    const now = () => new Date('2026-11-29T02:35:54.000Z');
    const lock = await acquireRunLock({
      stateDir: dir,
      project: PROJECT,
      run: run(1),
      purpose: 'backup',
      now,
    });
    const path = join(dir, 'engram.lock');
    expect(lock.path).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const onDisk = JSON.parse(readFileSync(path, 'utf8'));
    expect(onDisk).toMatchObject({
      pid: process.pid,
      host: hostname(),
      startedAt: '2026-11-29T02:35:54.000Z',
      run: run(1),
      purpose: 'backup',
    });
    expect(lock.owner).toEqual(onDisk);
    expect(await readRunLock(dir, PROJECT)).toEqual(onDisk);
    expect(readdirSync(dir)).toEqual(['engram.lock']);
  });

  it('refuses while the lock is held, naming the holder, and leaves the lock as it was', async () => {
    const first = await acquireRunLock({ stateDir: dir, project: PROJECT, run: run(1), purpose: 'upgrade' });
    const before = readFileSync(first.path);
    const err = await acquireRunLock({
      stateDir: dir,
      project: PROJECT,
      run: run(2),
      purpose: 'rollback',
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'LOCKED' });
    for (const part of [
      `pid ${process.pid}`,
      hostname(),
      first.owner.startedAt,
      'upgrade',
      run(1),
      'Nothing was changed',
    ]) {
      expect(err.message).toContain(part);
    }
    expect(readFileSync(first.path).equals(before)).toBe(true);
    // Another project is a separate deployment with its own lock.
    await acquireRunLock({ stateDir: dir, project: 'other', run: run(3), purpose: 'backup' });
  });

  it('never judges a holder on another host gone; tells the person which file to remove', async () => {
    const path = writeLock({ host: 'far-away.example' });
    const before = readFileSync(path);
    const err = await acquireRunLock({
      stateDir: dir,
      project: PROJECT,
      run: run(1),
      purpose: 'upgrade',
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'LOCKED' });
    expect(err.message).toContain('far-away.example');
    expect(err.message).toContain(`remove ${path} by hand`);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('treats an unreadable lock file as held, showing its path', async () => {
    const path = runLockPath(dir, PROJECT);
    for (const content of [
      '',
      'not json',
      '{"pid":"12"}',
      JSON.stringify({ ...lockLike(), run: '../../x' }),
    ]) {
      writeFileSync(path, content);
      const err = await acquireRunLock({
        stateDir: dir,
        project: PROJECT,
        run: run(1),
        purpose: 'upgrade',
      }).catch((e) => e);
      expect(err).toMatchObject({ code: 'LOCKED' });
      expect(err.message).toContain(`The lock file ${path}`);
      expect(readFileSync(path, 'utf8')).toBe(content);
      await expect(readRunLock(dir, PROJECT)).rejects.toMatchObject({ code: 'LOCKED' });
    }
  });

  it('takes over a lock whose holder died on this machine, leaving no stray files', async () => {
    writeLock({ purpose: 'restore' });
    const lock = await acquireRunLock({ stateDir: dir, project: PROJECT, run: run(1), purpose: 'upgrade' });
    expect(await readRunLock(dir, PROJECT)).toMatchObject({ pid: process.pid, run: run(1) });
    expect(readdirSync(dir)).toEqual(['engram.lock']);
    await lock.release();
  });

  it.skipIf(currentBootId() === undefined)(
    'takes over a lock from before a reboot even if its pid is in use',
    async () => {
      writeLock({ pid: process.pid, bootId: '00000000-0000-0000-0000-000000000000' });
      const lock = await acquireRunLock({ stateDir: dir, project: PROJECT, run: run(1), purpose: 'upgrade' });
      expect(await readRunLock(dir, PROJECT)).toMatchObject({ run: run(1), bootId: currentBootId() });
      await lock.release();
    },
  );

  it('refuses when an interrupted takeover left its claim behind, naming the files', async () => {
    const path = writeLock({});
    const claim = `${path}.takeover-${sha16(readFileSync(path))}`;
    linkSync(path, claim);
    const err = await acquireRunLock({
      stateDir: dir,
      project: PROJECT,
      run: run(1),
      purpose: 'upgrade',
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'LOCKED' });
    expect(err.message).toContain(`${path}.takeover-*`);
    expect(readdirSync(dir).sort()).toEqual(['engram.lock', claim.slice(dir.length + 1)]);
  });

  it('refuses a bad run id, project or purpose before creating anything', async () => {
    const bad = [
      { project: PROJECT, run: '../x', purpose: 'upgrade' },
      { project: '../x', run: run(1), purpose: 'upgrade' },
      { project: PROJECT, run: run(1), purpose: 'explode' },
    ] as const;
    for (const b of bad) {
      await expect(acquireRunLock({ stateDir: join(dir, 'state'), ...b } as never)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('run lock races', () => {
  it('lets exactly one of many concurrent callers in this process take a free lock', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        acquireRunLock({ stateDir: dir, project: PROJECT, run: run(i), purpose: 'upgrade' }),
      ),
    );
    expectOneWinner(results);
  });

  it('lets exactly one of many concurrent callers in this process take over a stale lock', async () => {
    for (let round = 0; round < 10; round++) {
      const project = `stale-${round}`;
      writeLock({}, project);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          acquireRunLock({ stateDir: dir, project, run: run(i), purpose: 'upgrade' }),
        ),
      );
      const winner = expectOneWinner(results);
      expect((await readRunLock(dir, project))?.run).toBe(winner);
    }
  });

  it('lets exactly one process take over a stale lock when several try at once', {
    timeout: 60_000,
  }, async () => {
    const contenders = await Promise.all([0, 1, 2].map(() => startContender()));
    for (let round = 0; round < 8; round++) {
      const project = `race-${round}`;
      writeLock({}, project);
      const runs = Array.from({ length: 6 }, () => newRunId());
      const at = Date.now() + 150;
      const [local, ...remote] = await Promise.all([
        untilMoment(at).then(() =>
          Promise.allSettled(
            runs
              .slice(0, 3)
              .map((r) => acquireRunLock({ stateDir: dir, project, run: r, purpose: 'upgrade' })),
          ),
        ),
        ...contenders.map((c, i) => c.attempt(project, runs[3 + i]!, at)),
      ]);
      const wins = [
        ...local.flatMap((r, i) => (r.status === 'fulfilled' ? [runs[i]] : [])),
        ...remote.flatMap((r) => (r.ok ? [r.run] : [])),
      ];
      expect(wins, `round ${round}`).toHaveLength(1);
      expect((await readRunLock(dir, project))?.run).toBe(wins[0]);
      for (const r of remote) if (!r.ok) expect(r.code).toBe('LOCKED');
      for (const r of local) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'LOCKED' });
    }
  });
});

describe('RunLock.release', () => {
  it('removes its own lock once, and a later run can take it', async () => {
    const lock = await acquireRunLock({ stateDir: dir, project: PROJECT, run: run(1), purpose: 'upgrade' });
    await lock.release();
    expect(await readRunLock(dir, PROJECT)).toBeNull();
    await lock.release();
    const next = await acquireRunLock({ stateDir: dir, project: PROJECT, run: run(2), purpose: 'upgrade' });
    await lock.release();
    expect(await readRunLock(dir, PROJECT)).toMatchObject({ run: run(2) });
    await next.release();
  });

  it('leaves a lock that another run holds now', async () => {
    const lock = await acquireRunLock({ stateDir: dir, project: PROJECT, run: run(1), purpose: 'upgrade' });
    // As if this process had been judged gone and another run had taken over.
    writeLock({ run: run(2), pid: process.pid });
    await lock.release();
    expect(await readRunLock(dir, PROJECT)).toMatchObject({ run: run(2) });
  });

  it('is released at the end of an `await using` block, even when the block throws', async () => {
    await expect(
      (async () => {
        await using _lock = await acquireRunLock({
          stateDir: dir,
          project: PROJECT,
          run: run(1),
          purpose: 'upgrade',
        });
        expect(await readRunLock(dir, PROJECT)).toMatchObject({ run: run(1) });
        throw new Error('step failed');
      })(),
    ).rejects.toThrow('step failed');
    expect(await readRunLock(dir, PROJECT)).toBeNull();
  });
});

function lockLike() {
  return { pid: 1, host: hostname(), startedAt: '2026-11-29T02:00:00.000Z', run: run(9), purpose: 'upgrade' };
}

function sha16(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** Checks that exactly one attempt succeeded and the rest were refused as locked; returns the winner's run. */
function expectOneWinner(results: PromiseSettledResult<{ owner: RunLockOwner }>[]): string {
  const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.owner.run] : []));
  expect(won).toHaveLength(1);
  for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'LOCKED' });
  return won[0]!;
}

interface Attempt {
  run: string;
  ok: boolean;
  code?: string;
}

/** A child process that takes locks on request (see run-lock-contender.ts). */
async function startContender(): Promise<{
  attempt(project: string, run: string, at: number): Promise<Attempt>;
}> {
  const script = fileURLToPath(new URL('./run-lock-contender.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: 'pipe' });
  children.push(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`contender exited early: ${child.stderr.read()?.toString() ?? ''}`);
    return value;
  };
  expect(await next()).toBe('ready');
  return {
    async attempt(project, run, at) {
      child.stdin.write(`${project} ${run} ${at}\n`);
      return JSON.parse(await next()) as Attempt;
    },
  };
}
