import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signingKeyId } from '../../../src/backup/manifest-signature';
import { loadSigningKey, reloadSigningKey, SigningKey } from '../../../src/backup/signing-key';
import { isUpgradeError, type UpgradeError } from '../../../src/errors';

const SECRET = 'k3y-canary-7f1d2e9a0b8c4d6e5f3a1b2c9d8e7f60';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engram-signing-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keyFile(content: string | Buffer, mode = 0o600, name = 'key'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content, { mode });
  await chmod(path, mode);
  return path;
}

async function refusal(p: Promise<unknown>): Promise<UpgradeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isUpgradeError(err)) throw new Error(`expected an UpgradeError, got ${String(err)}`);
  // Whatever the reason, the key itself is never in what a person or a log sees.
  expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(SECRET.slice(0, 12));
  return err;
}

describe('loadSigningKey', () => {
  it('reads a private key file; the plan form is its path and id, and the key bytes never print', async () => {
    const path = await keyFile(`${SECRET}\n`);
    const key = await loadSigningKey({ file: path });
    expect(key.bytes().toString()).toBe(SECRET);
    expect(key.ref).toEqual({ from: 'file', path, keyId: signingKeyId(Buffer.from(SECRET)) });
    for (const shown of [JSON.stringify({ key }), String(key), inspect(key), inspect({ nested: { key } })]) {
      expect(shown).not.toContain(SECRET.slice(0, 12));
    }
    expect(JSON.parse(JSON.stringify(key))).toEqual(key.ref);
  });

  it('reads a key from a variable; the same key in a file and a variable has the same id', async () => {
    const fromEnv = await loadSigningKey({ env: 'BACKUP_KEY' }, { BACKUP_KEY: SECRET });
    const fromFile = await loadSigningKey({ file: await keyFile(`${SECRET}\r\n`) });
    expect(fromEnv.ref).toEqual({ from: 'env', name: 'BACKUP_KEY', keyId: fromFile.keyId });
  });

  it.each([
    ['readable by its group', 0o640, 'group or others (mode 0640)'],
    ['readable by everyone', 0o644, 'group or others (mode 0644)'],
    ['writable by its group', 0o620, 'group or others (mode 0620)'],
  ])('refuses a key file %s, naming the file and the fix', async (_what, mode, said) => {
    const path = await keyFile(SECRET, mode);
    const err = await refusal(loadSigningKey({ file: path }));
    expect(err.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(err.message).toContain(path);
    expect(err.message).toContain(said);
    expect(err.message).toContain(`chmod 600 ${path}`);
  });

  it('refuses a key file owned by another user', async () => {
    if (process.getuid?.() !== 0) return; // only root can give a file away
    const path = await keyFile(SECRET);
    await chown(path, 12345, 12345);
    const err = await refusal(loadSigningKey({ file: path }));
    expect(err.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(err.message).toContain('owned by uid 12345');
  });

  it('refuses empty, short, line-break-only and oversized keys, and what is not a regular file', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const cases: [() => Promise<unknown>, string][] = [
      [async () => loadSigningKey({ file: await keyFile('', 0o600, 'empty') }), 'is empty'],
      [
        async () => loadSigningKey({ file: await keyFile('short-key\n', 0o600, 'short') }),
        'shorter than 32 bytes',
      ],
      [async () => loadSigningKey({ file: await keyFile('\n\n\n', 0o600, 'breaks') }), 'only line breaks'],
      [
        async () => loadSigningKey({ file: await keyFile(Buffer.alloc(5000, 0x61), 0o600, 'big') }),
        'larger than 4096',
      ],
      [async () => loadSigningKey({ file: dir }), 'not a regular file'],
      [async () => loadSigningKey({ file: fifo }), 'not a regular file'],
      [async () => loadSigningKey({ file: join(dir, 'missing') }), 'does not exist'],
      [async () => loadSigningKey({ env: 'NOT_SET_ANYWHERE' }, {}), 'variable NOT_SET_ANYWHERE is not set'],
      [async () => loadSigningKey({ env: 'SHORT' }, { SHORT: 'abc' }), 'variable SHORT is shorter than 32'],
    ];
    // One at a time: a call started early could reject before anything awaits it.
    for (const [attempt, said] of cases) {
      const err = await refusal(attempt());
      expect(err.code).toBe('SIGNING_KEY_UNUSABLE');
      expect(err.message).toContain(said);
      expect(err.message).toContain('nothing was changed');
    }
  });

  it('follows a link to a private key file (secret mounts are links), but checks what it leads to', async () => {
    const target = await keyFile(SECRET, 0o600, 'real');
    await symlink(target, join(dir, 'link'));
    expect((await loadSigningKey({ file: join(dir, 'link') })).bytes().toString()).toBe(SECRET);
    const open = await keyFile(SECRET, 0o644, 'open');
    await symlink(open, join(dir, 'link-open'));
    expect((await refusal(loadSigningKey({ file: join(dir, 'link-open') }))).code).toBe(
      'SIGNING_KEY_UNUSABLE',
    );
  });

  it('refuses a malformed source before any I/O (a key passed where a name belongs is not echoed)', async () => {
    for (const source of [{}, { file: 'relative/key' }, { file: '/k', env: 'K' }, { env: SECRET }]) {
      const err = await refusal(loadSigningKey(source as never, {}));
      expect(err.code).toBe('INVALID_INPUT');
    }
  });
});

describe('reloadSigningKey', () => {
  it('gives the same key again, none without a reference, and refuses a key that changed since the plan', async () => {
    const path = await keyFile(SECRET);
    const planned = await loadSigningKey({ file: path });
    expect(await reloadSigningKey(null)).toBeUndefined();
    expect((await reloadSigningKey(planned.ref))?.keyId).toBe(planned.keyId);
    await writeFile(path, `${SECRET.split('').reverse().join('')}\n`);
    const err = await refusal(reloadSigningKey(planned.ref));
    expect(err.code).toBe('SIGNING_KEY_UNUSABLE');
    expect(err.message).toContain(`key id ${planned.keyId}`);
    expect(err.message).toContain('now holds another key');
  });

  it('a SigningKey holds its bytes privately', () => {
    const key = new SigningKey({ from: 'env', name: 'K', keyId: '00000000' }, Buffer.from(SECRET));
    expect(Object.values(key).join(' ')).not.toContain(SECRET);
    expect(Object.keys(key)).toEqual(['ref']);
  });
});
