import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertProjectName,
  assertRunId,
  defaultStateDir,
  ensureStateDir,
  isRunId,
  newRunId,
} from '../../../src/execute/state-dir';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engram-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('defaultStateDir', () => {
  it('prefers ENGRAM_UPGRADE_STATE_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
    expect(defaultStateDir({ ENGRAM_UPGRADE_STATE_DIR: '/srv/eu', XDG_STATE_HOME: '/x' })).toBe('/srv/eu');
    expect(defaultStateDir({ XDG_STATE_HOME: '/x/state' })).toBe('/x/state/engram-upgrade');
    expect(defaultStateDir({})).toBe(join(homedir(), '.local/state/engram-upgrade'));
  });

  it('ignores empty values and a relative XDG_STATE_HOME; resolves a relative explicit dir', () => {
    const fallback = join(homedir(), '.local/state/engram-upgrade');
    expect(defaultStateDir({ ENGRAM_UPGRADE_STATE_DIR: '', XDG_STATE_HOME: '' })).toBe(fallback);
    expect(defaultStateDir({ XDG_STATE_HOME: 'relative/state' })).toBe(fallback);
    expect(defaultStateDir({ ENGRAM_UPGRADE_STATE_DIR: 'here' })).toBe(resolve('here'));
  });
});

describe('ensureStateDir', () => {
  it('creates missing directories with mode 0700', async () => {
    const target = join(dir, 'a', 'b', 'state');
    expect(await ensureStateDir(target)).toBe(target);
    expect(statSync(target).isDirectory()).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o700);
    // A second call accepts the directory it made.
    await ensureStateDir(target);
  });

  it('refuses a symlink, even to a good directory', async () => {
    const real = join(dir, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(dir, 'link'));
    const err = await ensureStateDir(join(dir, 'link')).catch((e) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(err.message).toContain(join(dir, 'link'));
    expect(err.message).toContain('symbolic link');
  });

  it('refuses a world-writable directory unless it has the sticky bit', async () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    await expect(ensureStateDir(open)).rejects.toThrow(/writable by every user/);
    chmodSync(open, 0o1777);
    await expect(ensureStateDir(open)).resolves.toBe(open);
  });

  it('refuses a directory owned by another user', async () => {
    let theirs = '/';
    if (process.getuid?.() === 0) {
      theirs = join(dir, 'theirs');
      mkdirSync(theirs, { mode: 0o700 });
      chownSync(theirs, 65534, 65534);
    }
    await expect(ensureStateDir(theirs)).rejects.toThrow(/is owned by uid \d+, not by this user/);
  });

  it('refuses a file, and a relative path', async () => {
    writeFileSync(join(dir, 'file'), '');
    await expect(ensureStateDir(join(dir, 'file'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(ensureStateDir('relative/state')).rejects.toThrow(/not an absolute path/);
  });
});

describe('run ids and project names', () => {
  it('makes run ids from the UTC second and random hex, and accepts only that shape', () => {
    const id = newRunId(new Date(Date.UTC(2026, 10, 29, 2, 35, 54, 789)), () => '9f3a61c2');
    expect(id).toBe('20261129T023554Z-9f3a61c2');
    expect(isRunId(newRunId())).toBe(true);
    for (const bad of [
      '',
      '../20261129T023554Z-9f3a61c2',
      '20261129T023554Z-9f3a61c2/..',
      '20261129T023554Z-XYZ12345',
    ]) {
      expect(isRunId(bad)).toBe(false);
      expect(() => assertRunId(bad)).toThrow(/is not a run id/);
    }
  });

  it('accepts compose project names only', () => {
    expect(assertProjectName('engram_prod-2')).toBe('engram_prod-2');
    expect(assertProjectName('a'.repeat(70))).toBe('a'.repeat(70));
    for (const bad of ['', '.', '..', 'a/b', 'Engram', '-x', 'a'.repeat(201), 'x\n']) {
      expect(() => assertProjectName(bad)).toThrow(/is not a compose project name/);
    }
  });
});
