import { randomBytes } from 'node:crypto';
import { type FileHandle, link, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { syncDir, writeDurable } from '../backup/fs-durable';
import { UpgradeError } from '../errors';
import type { SecretSet } from '../secrets';
import {
  errorRecord,
  type JournalEntry,
  type JournalEntryInput,
  type JournalHeader,
  type JournalHeaderInput,
  journalEntrySchema,
  journalHeaderSchema,
  STEP_ENTRY_TYPES,
  toJournalJson,
} from './journal-entry';
import { assertProjectName, assertRunId, ensureStateDir } from './state-dir';

export interface JournalCreateOptions {
  header: JournalHeaderInput;
  /** Every string written passes through `secrets.redact`; secrets added to the set later count too. */
  secrets: SecretSet;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface JournalOpenOptions {
  secrets: SecretSet;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface JournalContents {
  header: JournalHeader;
  entries: JournalEntry[];
  /** The file ended in an incomplete line (a crash while it was written); that line was ignored. */
  torn: boolean;
}

/**
 * The append-only record of one run of a plan, one JSON object per line: a header, then entries. An
 * entry is on disk (fsynced) before `append` resolves, so a step announced as started may have run
 * and a step not announced has not. Nothing is ever rewritten, except that reopening after a crash
 * cuts off a torn last line, whose `append` never resolved.
 */
export class Journal {
  readonly path: string;
  readonly header: JournalHeader;
  readonly #fh: FileHandle;
  readonly #secrets: SecretSet;
  readonly #now: () => Date;
  #seq: number;
  #queue: Promise<unknown> = Promise.resolve();
  #failure: UpgradeError | null = null;
  #closed = false;

  private constructor(
    path: string,
    header: JournalHeader,
    fh: FileHandle,
    seq: number,
    opts: JournalOpenOptions,
  ) {
    this.path = path;
    this.header = header;
    this.#fh = fh;
    this.#seq = seq;
    this.#secrets = opts.secrets;
    this.#now = opts.now ?? (() => new Date());
  }

  /**
   * Starts a new journal at `path` (mode 0600), creating its directory if needed. Refuses to replace a
   * file that exists. The header is written to a private file first and linked into place, so the
   * journal never exists without a complete header.
   */
  static async create(path: string, options: JournalCreateOptions): Promise<Journal> {
    const { secrets } = options;
    const now = options.now ?? (() => new Date());
    assertRunId(options.header.run);
    assertProjectName(options.header.project);
    await ensureStateDir(dirname(path));
    const header: JournalHeader = {
      journal: 'engram-upgrade',
      version: 1,
      run: options.header.run,
      planKind: options.header.planKind,
      planId: options.header.planId,
      project: options.header.project,
      createdAt: now().toISOString(),
    };
    const line = lineOf(header, secrets);
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeDurable(temp, line);
      await link(temp, path);
    } catch (cause) {
      const exists = (cause as NodeJS.ErrnoException).code === 'EEXIST';
      throw new UpgradeError('JOURNAL', {
        message: exists
          ? `A journal already exists at ${path}`
          : `Could not create the journal ${path}: ${(cause as Error).message}`,
        unchanged: exists ? 'The existing journal was left as it was; nothing ran' : 'Nothing ran',
        hint: exists
          ? 'Start the run with a new run id, or continue that journal with Journal.openForAppend'
          : 'Check the state directory is writable and has free space',
        cause,
      });
    } finally {
      await rm(temp, { force: true }).catch(() => {});
    }
    await syncDir(dirname(path));
    const fh = await open(path, 'a');
    return new Journal(path, JSON.parse(line) as JournalHeader, fh, 0, { secrets, now });
  }

  /**
   * Continues an existing journal after a crash: cuts off a torn last line, if any, and appends after
   * the last complete entry (its `seq` continues).
   */
  static async openForAppend(path: string, options: JournalOpenOptions): Promise<Journal> {
    const { contents, completeBytes } = await readJournal(path);
    if (contents.torn) {
      const fh = await open(path, 'r+');
      try {
        await fh.truncate(completeBytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    const appender = await open(path, 'a');
    return new Journal(path, contents.header, appender, contents.entries.at(-1)?.seq ?? 0, options);
  }

  /** Reads a journal, ignoring a torn last line (reported as `torn`). Any other damage is a `JOURNAL` error. */
  static async read(path: string): Promise<JournalContents> {
    return (await readJournal(path)).contents;
  }

  /** The `seq` of the last entry written (0 before the first). */
  get lastSeq(): number {
    return this.#seq;
  }

  /**
   * Appends one entry (redacted) and resolves once it is on disk; `lastSeq` then holds its `seq`. Calls
   * made without waiting are written in call order. After a failed write the journal refuses further
   * entries: the file's tail is unknown until it is reopened.
   */
  append(input: JournalEntryInput): Promise<void> {
    const written = this.#queue.then(() => this.#write(input));
    this.#queue = written.catch(() => {});
    return written;
  }

  async #write(input: JournalEntryInput): Promise<void> {
    if (this.#closed) throw journalError(this.path, 'is closed', 'Open it again with Journal.openForAppend');
    if (this.#failure) throw this.#failure;
    if ((STEP_ENTRY_TYPES as readonly string[]).includes(input.type) && !input.step) {
      throw new UpgradeError('INVALID_INPUT', {
        message: `A '${input.type}' journal entry needs the id of its step`,
        unchanged: 'The entry was not written; the journal is as it was',
      });
    }
    const raw: Record<string, unknown> = {
      seq: this.#seq + 1,
      at: this.#now().toISOString(),
      type: input.type,
    };
    if (input.step !== undefined) raw.step = input.step;
    if (input.data !== undefined) raw.data = input.data;
    if (input.error !== undefined) raw.error = errorRecord(input.error);
    const line = lineOf(raw, this.#secrets);
    try {
      const bytes = Buffer.from(line, 'utf8');
      for (let off = 0; off < bytes.length; ) off += (await this.#fh.write(bytes, off)).bytesWritten;
      await this.#fh.sync();
    } catch (cause) {
      this.#failure = journalError(
        this.path,
        `could not be written: ${(cause as Error).message}`,
        'Free space or fix the file system, then run again: the run resumes from the journal',
        cause,
        'The entry may be cut short on disk, which a reopened journal ignores; this handle writes nothing more',
      );
      throw this.#failure;
    }
    this.#seq += 1;
  }

  /** Waits for pending entries, then closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#fh.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function lineOf(value: unknown, secrets: SecretSet): string {
  return `${JSON.stringify(toJournalJson(value, (s) => secrets.redact(s)))}\n`;
}

async function readJournal(path: string): Promise<{ contents: JournalContents; completeBytes: number }> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (cause) {
    throw journalError(path, `could not be read: ${(cause as Error).message}`, 'Check the path', cause);
  }
  const completeBytes = buf.lastIndexOf(0x0a) + 1;
  const lines = buf.subarray(0, completeBytes).toString('utf8').split('\n').slice(0, -1);
  const [first, ...rest] = lines;
  if (first === undefined) {
    throw journalError(path, 'has no complete header line', damagedHint(path));
  }
  const header: JournalHeader = parseLine(path, 1, first, journalHeaderSchema);
  const entries: JournalEntry[] = [];
  rest.forEach((text, i) => {
    const entry = parseLine(path, i + 2, text, journalEntrySchema) as JournalEntry;
    if (entry.seq !== i + 1) {
      throw journalError(path, `line ${i + 2} has seq ${entry.seq}, expected ${i + 1}`, damagedHint(path));
    }
    entries.push(entry);
  });
  return { contents: { header, entries, torn: completeBytes < buf.length }, completeBytes };
}

function parseLine<T>(path: string, lineNo: number, text: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw journalError(path, `line ${lineNo} is not valid JSON`, damagedHint(path));
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
    throw journalError(
      path,
      `line ${lineNo} is not a journal line: ${issue?.message}${where}`,
      damagedHint(path),
    );
  }
  return parsed.data;
}

function damagedHint(path: string): string {
  return `The journal was damaged outside a crash; inspect ${path}, check the deployment by hand, and move the file aside before running again`;
}

function journalError(
  path: string,
  problem: string,
  hint: string,
  cause?: unknown,
  unchanged = 'Nothing was changed',
): UpgradeError {
  return new UpgradeError('JOURNAL', { message: `The journal ${path} ${problem}`, unchanged, hint, cause });
}
