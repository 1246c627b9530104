import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDeployment } from '../../../src/deployment/deployment';
import { revertHop } from '../../../src/rollback/revert-hop';
import { SecretSet } from '../../../src/secrets';
import { sha256Of } from '../../../src/upgrade/kept-files';
import { composeContainer, FakeDocker } from '../fakes/fake-docker';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('revertHop when compose failed before it replaced the container', () => {
  it('leaves the old container running and only puts the config back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engram-test-revert-'));
    dirs.push(dir);
    const original = 'services:\n  engram:\n    image: r/engram:0.15.0\n';
    const edited = 'services:\n  engram:\n    image: r/engram:0.15.1@sha256:abc\n';
    const path = join(dir, 'compose.yaml');
    const copy = join(dir, 'kept-compose.yaml');
    writeFileSync(path, edited);
    writeFileSync(copy, original);
    const oldImage = { reference: 'r/engram:0.15.0', id: `sha256:${'1'.repeat(64)}` };
    const docker = new FakeDocker(
      [
        composeContainer('engram', 'engram', { imageId: oldImage.id, image: oldImage.reference }),
        composeContainer('engram', 'postgres', { env: ['POSTGRES_USER=engram', 'POSTGRES_DB=engram'] }),
      ],
      (e) =>
        e.cmd[0] === 'psql' ? { exitCode: 0, stdout: '20260602000000\n20260715090000\n' } : { exitCode: 1 },
    );
    const dep = await openDeployment({ project: 'engram', docker });
    const result = await revertHop(
      dep,
      {
        from: '0.15.0',
        oldImage,
        newImage: { id: `sha256:${'2'.repeat(64)}` },
        preApplied: ['20260602000000', '20260715090000'],
        shipped: [],
        backup: null,
        kept: [{ path, copy, sha256Before: sha256Of(original), sha256After: sha256Of(edited) }],
      },
      {
        files: { project: 'engram', workingDir: dir, configFiles: [path], envFile: null },
        secrets: new SecretSet(),
        service: 'engram',
        healthTimeoutMs: 60_000,
        startOld: true,
      },
    );
    expect(result.strategy).toBe('nothing');
    expect(readFileSync(path, 'utf8')).toBe(original);
    expect(docker.calls.map((c) => c.method)).not.toContain('stop');
    expect(docker.containers.find((c) => c.name === 'engram-engram-1')?.running).toBe(true);
  });
});
