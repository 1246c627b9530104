import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackupEvent,
  type BackupResult,
  backup,
  executeBackup,
  executeRestore,
  restore,
  verifyBackup,
} from '../../../src/backup';
import { type Deployment, openDeployment } from '../../../src/deployment/deployment';
import { isUpgradeError, type UpgradeError } from '../../../src/errors';
import { type EngramStack, startEngramStack } from '../../../src/testing';
import { tempDir } from '../temp-dir';
import { CmdlineWatch } from './cmdline-watch';

const KEY = randomBytes(32).toString('hex');
const KEY_ID = createHash('sha256').update(KEY).digest('hex').slice(0, 8);
const KEY_VAR = 'ENGRAM_TEST_BACKUP_SIGNING_KEY';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let stack: EngramStack;
let dep: Deployment;
let keyPath: string;
/** Taken with the key, and without one, while the database held its original rows. */
let signed: BackupResult;
let unsigned: BackupResult;
const seen: string[] = []; // everything a person or a tool could see: plans, events, reports, errors
const stateDirs = new Set<string>(); // where the runner journals the plans, when it does

/** Records a plan as seen, and where its run is journalled. */
function track<P extends object>(plan: P): P {
  seen.push(JSON.stringify(plan));
  const stateDir = (plan as { stateDir?: unknown }).stateDir;
  if (typeof stateDir === 'string') stateDirs.add(stateDir);
  return plan;
}

async function failure(p: Promise<unknown>): Promise<UpgradeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isUpgradeError(err)) throw new Error(`expected an UpgradeError, got ${String(err)}`);
  seen.push(err.message, JSON.stringify(err));
  return err;
}

/** The code of the error or of the error it wraps (an executor reports its own step failure around it). */
const codeOf = (err: UpgradeError) =>
  err.code.startsWith('SIGNING_') ? err.code : (err.causeCode ?? err.code);

const firstEmail = async (): Promise<string> =>
  (await stack.query('SELECT email FROM users ORDER BY email LIMIT 1'))[0]![0]!;
const userCount = async (): Promise<number> =>
  Number((await stack.query('SELECT count(*) FROM users'))[0]![0]);
const databases = async (): Promise<string[]> =>
  (await stack.query('SELECT datname FROM pg_database ORDER BY 1')).map((r) => r[0]!);

/** A copy of a backup, for attacks on it. */
function copyOf(b: BackupResult): string {
  const dir = join(tempDir('engram-signed-copy-'), 'backup');
  cpSync(b.path, dir, { recursive: true });
  return dir;
}

/**
 * What someone who can write the backup dir can do: put another dump in (here: the same tables and
 * row counts, one e-mail address changed) and recompute its checksum and size in the manifest.
 */
function forge(dir: string, dump: Buffer): void {
  writeFileSync(join(dir, 'db.dump'), dump);
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  m.files = [{ name: 'db.dump', bytes: dump.length, sha256: sha(dump) }];
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
}

let forgedDump: Buffer;

beforeAll(async () => {
  process.env[KEY_VAR] = KEY;
  stack = await startEngramStack({ version: '0.15.0' });
  dep = await openDeployment({ project: stack.projectName });
  keyPath = join(tempDir('engram-signing-key-'), 'backup.key');
  writeFileSync(keyPath, `${KEY}\n`, { mode: 0o600 });
  const dir = tempDir('engram-signed-backups-');
  signed = await executeBackup(dep, track(await backup(dep, { dir, signingKey: { file: keyPath } })));
  unsigned = await executeBackup(dep, await backup(dep, { dir, now: () => new Date(Date.now() + 2000) }));
  // The attacker's dump: same tables and row counts, one address changed; the live rows are put back.
  const original = await firstEmail();
  await stack.query(`UPDATE users SET email = 'attacker@example.test' WHERE email = '${original}'`);
  const source = await executeBackup(
    dep,
    await backup(dep, { dir: tempDir('engram-forged-source-'), now: () => new Date(Date.now() + 4000) }),
  );
  forgedDump = readFileSync(join(source.path, 'db.dump'));
  await stack.query(`UPDATE users SET email = '${original}' WHERE email = 'attacker@example.test'`);
}, 240_000);

afterAll(async () => {
  delete process.env[KEY_VAR];
  await stack?.dispose();
});

describe('signed backup manifests', () => {
  it('a signed backup has manifest.sig; its plan names the key file and id only; verify with the key authenticates', async () => {
    await using watch = CmdlineWatch.start(KEY);
    const dir = tempDir('engram-signed-backups-');
    const plan = track(await backup(dep, { dir, verifyLevel: 2, signingKey: { file: keyPath } }));
    expect(plan.signing).toEqual({ from: 'file', path: keyPath, keyId: KEY_ID });
    const events: BackupEvent[] = [];
    const taken = await executeBackup(dep, plan, { onEvent: (e) => events.push(e) });
    seen.push(JSON.stringify(events), JSON.stringify(taken));
    expect(readdirSync(taken.path).sort()).toEqual(['db.dump', 'manifest.json', 'manifest.sig']);
    expect(statSync(join(taken.path, 'manifest.sig')).mode & 0o777).toBe(0o600);
    const sig = JSON.parse(readFileSync(join(taken.path, 'manifest.sig'), 'utf8'));
    expect(sig).toMatchObject({ algorithm: 'HMAC-SHA256', keyId: KEY_ID });
    for (const f of readdirSync(taken.path)) seen.push(readFileSync(join(taken.path, f), 'latin1'));

    // The same key from a variable has the same id, and checks the same signature.
    for (const signingKey of [{ file: keyPath }, { env: KEY_VAR }]) {
      const report = await verifyBackup(taken.path, { level: 2, deployment: dep, signingKey });
      seen.push(JSON.stringify(report));
      expect(report.authenticity).toEqual({ authenticated: true, keyId: KEY_ID });
      expect(report.warnings).toEqual([]);
      expect(report.tablesCompared).toBeGreaterThan(4);
    }
    const plain = await verifyBackup(taken.path, { deployment: dep });
    expect(plain.authenticity).toEqual({ authenticated: false, signature: 'not-checked' });
    expect(plain.warnings.join(' ')).toContain('unauthenticated');
    expect(watch.hits()).toEqual([]);
    expect(watch.scans()).toBeGreaterThan(10);
  }, 180_000);

  it('a dump changed with its checksum recomputed passes every check without a key, and is refused with it', async () => {
    const before = await firstEmail();
    const dbs = await databases();
    const forged = copyOf(signed);
    forge(forged, forgedDump);

    // The attack, without a key: checksums and a test restore pass; only a warning says it is unchecked.
    const open = await verifyBackup(forged, { level: 2, deployment: dep });
    expect(open.tablesCompared).toBeGreaterThan(4);
    expect(open.warnings.join(' ')).toContain('unauthenticated');
    const openPlan = await restore(forged, dep);
    expect(openPlan.backup.authenticity).toEqual({ authenticated: false, signature: 'not-checked' });
    expect(openPlan.warnings.join(' ')).toContain(`Backup ${signed.manifest.id} is unauthenticated`);

    // With the key: refused by verify and by restore, before anything of the dump is used.
    const signingKey = { file: keyPath };
    for (const attempt of [
      () => verifyBackup(forged, { level: 2, deployment: dep, signingKey }),
      () => restore(forged, dep, { signingKey }),
    ]) {
      const err = await failure(attempt());
      expect(err.code).toBe('BACKUP_SIGNATURE_INVALID');
      expect(err.message).toContain('changed after it was signed');
      expect(err.message).toContain(`key id ${KEY_ID}`);
    }
    expect(await firstEmail()).toBe(before);
    expect(await databases()).toEqual(dbs);
  }, 180_000);

  it('a backup swapped after its restore was planned is refused by the executor, which checks the signature again', async () => {
    const before = await firstEmail();
    const dbs = await databases();
    const dir = copyOf(signed);
    const plan = track(await restore(dir, dep, { signingKey: { file: keyPath } }));
    expect(plan.signing).toEqual({ from: 'file', path: keyPath, keyId: KEY_ID });
    expect(plan.backup.authenticity).toEqual({ authenticated: true, keyId: KEY_ID });
    expect(plan.warnings.join(' ')).not.toContain('unauthenticated');
    forge(dir, forgedDump);
    const err = await failure(executeRestore(dep, plan));
    expect(codeOf(err)).toBe('BACKUP_SIGNATURE_INVALID');
    expect(await firstEmail()).toBe(before);
    expect(await databases()).toEqual(dbs);
    expect((await stack.waitHealthy()).status).toBe(200);
  }, 180_000);

  it('an unsigned backup is refused when a key is configured; without one it is restored, and the plan says it is unauthenticated', async () => {
    const signingKey = { env: KEY_VAR };
    for (const attempt of [
      () => restore(unsigned.path, dep, { signingKey }),
      () => verifyBackup(unsigned.path, { deployment: dep, signingKey }),
    ]) {
      const err = await failure(attempt());
      expect(err.code).toBe('BACKUP_UNSIGNED');
      expect(err.message).toContain(`variable ${KEY_VAR} (key id ${KEY_ID})`);
    }
    await stack.query("INSERT INTO users (email) VALUES ('after-the-backup@example.test')");
    const plan = track(await restore(unsigned.path, dep));
    expect(plan.signing).toBeNull();
    expect(plan.backup.authenticity).toEqual({ authenticated: false, signature: 'absent' });
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`Backup ${unsigned.manifest.id} is unauthenticated: it is not signed`),
      ]),
    );
    await executeRestore(dep, plan);
    expect(await userCount()).toBe(unsigned.manifest.tables['public.users']);
    expect((await stack.waitHealthy()).status).toBe(200);
  }, 180_000);

  it('a signed backup restores with its key; a key that changed between plan and execution is refused', async () => {
    await stack.query("INSERT INTO users (email) VALUES ('after-the-signed-backup@example.test')");
    const before = await userCount();
    process.env[KEY_VAR] = randomBytes(32).toString('hex');
    const other = await failure(restore(signed.path, dep, { signingKey: { env: KEY_VAR } }));
    expect(other.code).toBe('BACKUP_SIGNATURE_INVALID');
    expect(other.message).toContain(`signed with another key (key id ${KEY_ID})`);
    process.env[KEY_VAR] = KEY;
    const plan = track(await restore(signed.path, dep, { signingKey: { env: KEY_VAR } }));
    expect(plan.signing).toEqual({ from: 'env', name: KEY_VAR, keyId: KEY_ID });
    process.env[KEY_VAR] = randomBytes(32).toString('hex');
    const err = await failure(executeRestore(dep, plan));
    expect(codeOf(err)).toBe('SIGNING_KEY_UNUSABLE');
    expect(err.message).toContain(`the plan was made with (key id ${KEY_ID})`);
    expect(await userCount()).toBe(before);
    process.env[KEY_VAR] = KEY;
    await executeRestore(dep, plan);
    expect(await userCount()).toBe(signed.manifest.tables['public.users']);

    // The writing side reads the key again too: changed after planning, nothing is published.
    const dir = tempDir('engram-signed-backups-');
    const backupPlan = track(await backup(dep, { dir, signingKey: { file: keyPath } }));
    writeFileSync(keyPath, `${randomBytes(32).toString('hex')}\n`);
    try {
      const refused = await failure(executeBackup(dep, backupPlan));
      expect(codeOf(refused)).toBe('SIGNING_KEY_UNUSABLE');
      expect(refused.message).toContain('now holds another key');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      writeFileSync(keyPath, `${KEY}\n`);
    }
    expect((await stack.waitHealthy()).status).toBe(200);
  }, 240_000);

  it('the key appeared in no plan, event, report, error, backup file or journal', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const text of seen) expect(text).not.toContain(KEY);
    // Journals and saved plans, where the runner keeps them.
    for (const d of stateDirs) {
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d, { recursive: true, encoding: 'utf8' })) {
        const p = join(d, f);
        if (statSync(p).isFile()) expect(readFileSync(p, 'latin1')).not.toContain(KEY);
      }
    }
  });
});
