import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpgradeError } from '../../../src/errors';
import { Journal } from '../../../src/execute/journal';
import { journalPath, listJournals } from '../../../src/execute/journal-list';
import { newRunId } from '../../../src/execute/state-dir';
import { SecretSet } from '../../../src/secrets';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engram-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const RUN = '20261129T023554Z-9f3a61c2';
const header = { run: RUN, planKind: 'upgrade', planId: 'plan-1', project: 'engram' };
const noSecrets = () => new SecretSet();
const clock = (start = Date.UTC(2026, 10, 29, 2, 35, 54)) => {
  let t = start;
  return () => {
    t += 1000;
    return new Date(t);
  };
};

async function journalWith(path: string, count: number): Promise<void> {
  await using j = await Journal.create(path, { header, secrets: noSecrets() });
  for (let i = 1; i <= count; i++) await j.append({ type: 'step-started', step: `s${i}` });
}

describe('Journal', () => {
  it('reads back the header and entries it wrote, numbered from 1, with ISO times', async () => {
    const path = journalPath(dir, 'engram', RUN);
    const j = await Journal.create(path, { header, secrets: noSecrets(), now: clock() });
    await j.append({ type: 'step-started', step: 'pull-image' });
    await j.append({
      type: 'step-finished',
      step: 'pull-image',
      data: { imageId: 'sha256:abc', layers: [1, 2, { nested: true }], skipped: undefined, none: null },
    });
    await j.append({ type: 'note', data: 'resumed by hand' });
    await j.close();

    const { header: h, entries, torn } = await Journal.read(path);
    expect(h).toEqual({
      journal: 'engram-upgrade',
      version: 1,
      ...header,
      createdAt: '2026-11-29T02:35:55.000Z',
    });
    expect(torn).toBe(false);
    expect(entries.map((e) => [e.seq, e.type, e.step])).toEqual([
      [1, 'step-started', 'pull-image'],
      [2, 'step-finished', 'pull-image'],
      [3, 'note', undefined],
    ]);
    expect(entries[1]?.data).toEqual({ imageId: 'sha256:abc', layers: [1, 2, { nested: true }], none: null });
    expect(entries[0]?.at).toBe('2026-11-29T02:35:56.000Z');
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(5); // header, 3 entries, final newline
  });

  it('creates the file and its project directory readable by the owner only', async () => {
    const path = journalPath(dir, 'engram', RUN);
    await journalWith(path, 1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'engram')).mode & 0o777).toBe(0o700);
  });

  it('refuses to overwrite an existing journal and leaves it as it was', async () => {
    const path = journalPath(dir, 'engram', RUN);
    await journalWith(path, 2);
    const before = readFileSync(path, 'utf8');
    const err = await Journal.create(path, { header, secrets: noSecrets() }).catch((e) => e);
    expect(err).toBeInstanceOf(UpgradeError);
    expect(err.code).toBe('JOURNAL');
    expect(err.message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('refuses a run id or project that could name a path elsewhere, creating nothing', async () => {
    const path = join(dir, 'x.journal.jsonl');
    for (const bad of [
      { ...header, run: '../../etc/passwd' },
      { ...header, run: `${RUN}/x` },
      { ...header, project: '../other' },
    ]) {
      await expect(Journal.create(path, { header: bad, secrets: noSecrets() })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    }
    expect(() => journalPath(dir, 'engram', '../x')).toThrow(UpgradeError);
    expect(() => journalPath(dir, '../x', RUN)).toThrow(UpgradeError);
    expect(() => statSync(path)).toThrow();
  });

  it('ignores a torn last line and reports it; reopening cuts it off and continues the numbering', async () => {
    const path = journalPath(dir, 'engram', RUN);
    await journalWith(path, 2);
    // A crash in the middle of writing entry 3.
    appendFileSync(path, '{"seq":3,"at":"2026-11-29T02:36:00.000Z","type":"step-sta');
    const read = await Journal.read(path);
    expect(read.torn).toBe(true);
    expect(read.entries.map((e) => e.seq)).toEqual([1, 2]);

    const j = await Journal.openForAppend(path, { secrets: noSecrets() });
    expect(j.lastSeq).toBe(2);
    await j.append({ type: 'step-failed', step: 's2' });
    expect(j.lastSeq).toBe(3);
    await j.close();
    const after = await Journal.read(path);
    expect(after.torn).toBe(false);
    expect(after.entries.map((e) => [e.seq, e.type])).toEqual([
      [1, 'step-started'],
      [2, 'step-started'],
      [3, 'step-failed'],
    ]);
  });

  it('treats a complete entry that lost its newline as torn too (its append never returned)', async () => {
    const path = journalPath(dir, 'engram', RUN);
    await journalWith(path, 1);
    appendFileSync(path, '{"seq":2,"at":"2026-11-29T02:36:00.000Z","type":"note"}');
    const read = await Journal.read(path);
    expect(read).toMatchObject({ torn: true, entries: [{ seq: 1 }] });
  });

  it('names the line of any damage other than a torn tail', async () => {
    const path = journalPath(dir, 'engram', RUN);
    await journalWith(path, 3);
    const lines = readFileSync(path, 'utf8').split('\n');
    const cases: [string, string][] = [
      ['not json {', 'line 3 is not valid JSON'],
      ['{"seq":2,"at":"x","type":"explode"}', 'line 3 is not a journal line'],
      ['{"seq":2,"at":"x","type":"step-started"}', 'line 3 is not a journal line'],
      ['{"seq":7,"at":"x","type":"note"}', 'line 3 has seq 7, expected 2'],
    ];
    for (const [line, says] of cases) {
      writeFileSync(path, [...lines.slice(0, 2), line, ...lines.slice(3)].join('\n'));
      const err = await Journal.read(path).catch((e) => e);
      expect(err).toMatchObject({ code: 'JOURNAL' });
      expect(err.message).toContain(says);
      await expect(Journal.openForAppend(path, { secrets: noSecrets() })).rejects.toMatchObject({
        code: 'JOURNAL',
      });
    }
  });

  it('refuses a file without a complete header, or with a foreign one', async () => {
    const path = join(dir, `${RUN}.journal.jsonl`);
    writeFileSync(path, '{"journal":"engram-up');
    await expect(Journal.read(path)).rejects.toThrow(/no complete header line/);
    writeFileSync(path, '{"hello":"world"}\n');
    await expect(Journal.read(path)).rejects.toThrow(/line 1 is not a journal line/);
    await expect(Journal.read(join(dir, 'missing'))).rejects.toMatchObject({ code: 'JOURNAL' });
  });

  it('writes entries appended without waiting in call order', async () => {
    const path = journalPath(dir, 'engram', RUN);
    const j = await Journal.create(path, { header, secrets: noSecrets() });
    const steps = Array.from({ length: 20 }, (_, i) => `step-${i}`);
    await Promise.all(steps.map((step) => j.append({ type: 'step-started', step })));
    await j.close();
    const { entries } = await Journal.read(path);
    expect(entries.map((e) => [e.seq, e.step])).toEqual(steps.map((step, i) => [i + 1, step]));
  });

  it('refuses data JSON cannot hold without writing anything, and keeps working', async () => {
    const path = journalPath(dir, 'engram', RUN);
    const j = await Journal.create(path, { header, secrets: noSecrets() });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(j.append({ type: 'note', data: cyclic })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(j.append({ type: 'note', data: { n: 10n } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(j.append({ type: 'step-started' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const shared = { a: 1 };
    await j.append({ type: 'note', data: [shared, shared] });
    expect(j.lastSeq).toBe(1);
    await j.close();
    await expect(j.append({ type: 'note' })).rejects.toMatchObject({ code: 'JOURNAL' });
    expect((await Journal.read(path)).entries).toHaveLength(1);
  });

  it('records a thrown error as its name, code and message', async () => {
    const path = journalPath(dir, 'engram', RUN);
    const j = await Journal.create(path, { header, secrets: noSecrets() });
    const failure = new UpgradeError('PULL_FAILED', {
      message: 'Pull failed',
      hint: 'Check the tag',
      step: 'pull',
    });
    await j.append({ type: 'step-failed', step: 'pull', error: failure });
    await j.append({ type: 'run-failed', error: Object.assign(new Error('boom'), { code: 'EIO' }) });
    await j.append({ type: 'note', error: 'a string was thrown' });
    await j.close();
    const { entries } = await Journal.read(path);
    expect(entries.map((e) => e.error)).toEqual([
      {
        name: 'UpgradeError',
        code: 'PULL_FAILED',
        message: 'Pull failed',
        hint: 'Check the tag',
        step: 'pull',
      },
      { name: 'Error', code: 'EIO', message: 'boom' },
      { name: 'Error', message: 'a string was thrown' },
    ]);
  });
});

describe('Journal secrets', () => {
  // Quote and backslash: JSON escapes them, so redacting the serialised line would miss this value.
  const CANARY = 'canary-Pw"7\\q/&+x';

  it('never writes a secret, wherever it appears', async () => {
    const secrets = new SecretSet().add(CANARY);
    const path = journalPath(dir, 'engram', RUN);
    const j = await Journal.create(path, { header: { ...header, planId: `plan-${CANARY}` }, secrets });
    await j.append({ type: 'step-started', step: `step-${CANARY}` });
    await j.append({
      type: 'step-finished',
      step: `step-${CANARY}`,
      data: {
        env: [`POSTGRES_PASSWORD=${CANARY}`, `DATABASE_URL=postgres://u:${encodeURIComponent(CANARY)}@db/x`],
        deep: { deeper: { [CANARY]: { list: [CANARY, { error: new Error(`auth failed for ${CANARY}`) }] } } },
      },
    });
    const cause = new Error(`psql: password ${CANARY} rejected`);
    await j.append({
      type: 'step-failed',
      step: 'migrate',
      error: new UpgradeError('MIGRATION_FAILED', { message: `Migration failed with ${CANARY}`, cause }),
    });
    await j.append({ type: 'run-failed', error: cause, data: { message: cause.message } });
    // A secret learned after the journal was opened is redacted too.
    const late = 'late-secret-value';
    secrets.add(late);
    await j.append({ type: 'note', data: `saw ${late}` });
    await j.close();

    const text = readFileSync(path, 'utf8');
    for (const form of [CANARY, encodeURIComponent(CANARY), JSON.stringify(CANARY).slice(1, -1), late]) {
      expect(text).not.toContain(form);
    }
    expect(text).toContain('[redacted]');
    const { header: h, entries } = await Journal.read(path);
    expect(h.planId).toBe('plan-[redacted]');
    expect(entries[1]?.step).toBe('step-[redacted]');
    expect(entries[1]?.data).toMatchObject({
      env: ['POSTGRES_PASSWORD=[redacted]', 'DATABASE_URL=postgres://u:[redacted]@db/x'],
      deep: {
        deeper: {
          '[redacted]': { list: ['[redacted]', { error: { message: 'auth failed for [redacted]' } }] },
        },
      },
    });
    expect(entries[2]?.error?.message).toBe('Migration failed with [redacted]');
  });

  it('keeps redacting after a reopen with the secrets passed to openForAppend', async () => {
    const path = journalPath(dir, 'engram', RUN);
    await journalWith(path, 1);
    const j = await Journal.openForAppend(path, { secrets: new SecretSet().add(CANARY) });
    await j.append({ type: 'note', data: { url: `postgres://u:${CANARY}@db` } });
    await j.close();
    expect(readFileSync(path, 'utf8')).not.toContain(CANARY);
  });
});

describe('listJournals', () => {
  it('lists a project’s journals newest first with their summaries, skipping other files', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    const runs = [0, 1, 2].map((i) => newRunId(new Date(t0 + i * 60_000)));
    for (const [i, run] of runs.entries()) {
      const j = await Journal.create(journalPath(dir, 'engram', run), {
        header: { ...header, run },
        secrets: noSecrets(),
        now: () => new Date(t0 + i * 60_000),
      });
      await j.append({ type: 'step-started', step: 'a' });
      if (i !== 1) await j.append({ type: 'step-finished', step: 'a' });
      if (i === 0) await j.append({ type: 'run-finished' });
      await j.close();
    }
    writeFileSync(join(dir, 'engram', 'notes.txt'), 'not a journal');
    writeFileSync(join(dir, 'engram', `${runs[0]}.journal.jsonl.abc123.tmp`), '{');
    mkdirSync(join(dir, 'other'));
    await journalWith(journalPath(dir, 'other', RUN), 1);

    const listed = await listJournals(dir, 'engram');
    expect(listed.map((l) => l.run)).toEqual([...runs].reverse());
    expect(listed.map((l) => l.summary.outcome)).toEqual(['running', 'running', 'finished']);
    expect(listed[1]?.summary.inFlight).toBe('a');
    expect(listed[0]).toMatchObject({ path: journalPath(dir, 'engram', runs[2]!), torn: false });
  });

  it('returns nothing for a project without journals, and refuses a bad project name', async () => {
    expect(await listJournals(dir, 'engram')).toEqual([]);
    await expect(listJournals(dir, '..')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses a journal filed under another run’s name', async () => {
    const other = '20261129T023555Z-00000000';
    await journalWith(journalPath(dir, 'engram', RUN), 1);
    writeFileSync(journalPath(dir, 'engram', other), readFileSync(journalPath(dir, 'engram', RUN)));
    await expect(listJournals(dir, 'engram')).rejects.toThrow(/not to the run and project its path names/);
  });
});
