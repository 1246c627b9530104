import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerodeDocker } from '../../src/docker/dockerode-docker';
import { run } from '../../src/process/run-command';
import { OWNER_LABEL, TESTBED_LABEL } from '../../src/testing/images';
import { LeftoverCheck } from './leftovers';

const made: string[] = [];
afterAll(async () => {
  for (const name of made) await run('docker', ['volume', 'rm', '-f', name], { allowFail: true });
});

async function volume(name: string, owner: string): Promise<string> {
  made.push(name);
  await run('docker', [
    'volume',
    'create',
    '--label',
    `${TESTBED_LABEL}=true`,
    '--label',
    `${OWNER_LABEL}=${owner}`,
    name,
  ]);
  return name;
}

async function volumeExists(name: string): Promise<boolean> {
  return (await run('docker', ['volume', 'inspect', name], { allowFail: true })).code === 0;
}

describe('the after-suite leftover check', () => {
  it('names and removes what this run left, and leaves a concurrent run and older things alone', async () => {
    const suffix = `${process.pid}-${Date.now()}`;
    const older = await volume(`engram-leftover-older-${suffix}`, `${hostname()}:${process.pid}`);
    const outerTmp = process.env.TMPDIR;
    const check = await LeftoverCheck.start(new DockerodeDocker());
    try {
      expect(process.env.TMPDIR).toBe(check.tmp);
      expect(tmpdir()).toBe(check.tmp);
      const ours = await volume(`engram-leftover-ours-${suffix}`, `${hostname()}:${process.pid}`);
      // Pid 1 is alive and is no descendant of this process: another run's stack, still in use.
      const theirs = await volume(`engram-leftover-theirs-${suffix}`, `${hostname()}:1`);
      const backups = mkdtempSync(join(tmpdir(), 'engram-backups-'));
      mkdirSync(join(backups, 'b1'));
      writeFileSync(join(backups, 'b1', 'engram.dump'), 'x'.repeat(10));
      const empty = mkdtempSync(join(tmpdir(), 'engram-tmpfs-'));
      mkdtempSync(join(tmpdir(), 'tool-cache-')); // not the suite's prefix: not reported

      // Only what this test made: other test files running at the same time may leave things too.
      const left = (await check.finish()).filter((l) => l.includes(suffix) || l.startsWith(check.tmp));

      expect(left).toEqual([`volume ${ours}`, `${backups} (1 files, 10 bytes)`, `${empty} (empty)`]);
      expect(await volumeExists(ours)).toBe(false);
      expect(await volumeExists(theirs)).toBe(true);
      expect(await volumeExists(older)).toBe(true);
      expect(existsSync(check.tmp)).toBe(false);
      expect(process.env.TMPDIR).toBe(outerTmp);
    } finally {
      if (process.env.TMPDIR === check.tmp) await check.finish();
    }
  });
});
