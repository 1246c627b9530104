import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UpgradeError } from '../errors';

export const KeptFileSchema = z.object({
  path: z.string(),
  copy: z.string(),
  sha256Before: z.string(),
  sha256After: z.string(),
});

/**
 * What a finished hop leaves for its rollback: the image it replaced (by id: tags move), the
 * migrations applied before it, the migrations the new image ships (which can be reverted), the
 * backup taken before it and the kept originals of every file it edited.
 */
export const HopRecordSchema = z.object({
  planId: z.string(),
  run: z.string(),
  project: z.string(),
  index: z.number().int().positive(),
  from: z.string(),
  to: z.string(),
  oldImage: z.object({ reference: z.string(), id: z.string() }),
  newImage: z.object({ reference: z.string(), id: z.string(), digest: z.string().nullable() }),
  preApplied: z.array(z.string()),
  applied: z.array(z.string()),
  shipped: z.array(z.object({ version: z.string(), irreversible: z.boolean() })),
  backup: z.object({ path: z.string(), id: z.string() }).nullable(),
  kept: z.array(KeptFileSchema),
  finishedAt: z.string(),
});
export type HopRecord = z.infer<typeof HopRecordSchema>;

export function historyPath(stateDir: string, project: string): string {
  return join(stateDir, project, 'hops.jsonl');
}

/** Appends a finished hop to the project's history (JSON lines, fsynced, 0600). */
export async function appendHopRecord(stateDir: string, record: HopRecord): Promise<void> {
  const path = historyPath(stateDir, record.project);
  await mkdir(join(stateDir, record.project), { recursive: true, mode: 0o700 });
  await appendFile(path, `${JSON.stringify(HopRecordSchema.parse(record))}\n`, { mode: 0o600 });
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Every hop recorded for the project, oldest first; rolled-back hops are marked by later entries. */
export async function readHopHistory(stateDir: string, project: string): Promise<HistoryEntry[]> {
  const text = await readFile(historyPath(stateDir, project), 'utf8').catch((err: { code?: string }) => {
    if (err.code === 'ENOENT') return '';
    throw new UpgradeError('JOURNAL', {
      message: `Could not read the upgrade history of ${project}: ${String(err)}`,
      cause: err,
    });
  });
  const out: HistoryEntry[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // A torn last line is a crash while appending: that hop was never reported finished.
      if (i === text.split('\n').length - 1 || i === text.split('\n').length - 2) continue;
      throw new UpgradeError('JOURNAL', {
        message: `Line ${i + 1} of ${historyPath('…', project)} is not JSON`,
      });
    }
    const entry = HistoryEntrySchema.safeParse(parsed);
    if (entry.success) out.push(entry.data);
  }
  return out;
}

export const RolledBackSchema = z.object({
  rolledBack: z.object({ planId: z.string(), index: z.number().int(), at: z.string(), run: z.string() }),
});
const HistoryEntrySchema = z.union([HopRecordSchema, RolledBackSchema]);
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** Appends a marker that a recorded hop was rolled back. */
export async function appendRolledBack(
  stateDir: string,
  project: string,
  marker: z.infer<typeof RolledBackSchema>['rolledBack'],
): Promise<void> {
  const path = historyPath(stateDir, project);
  await appendFile(path, `${JSON.stringify({ rolledBack: marker })}\n`, { mode: 0o600 });
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Hops still in place (recorded and not rolled back), oldest first. */
export function hopsInPlace(history: readonly HistoryEntry[]): HopRecord[] {
  const undone = new Set(
    history.flatMap((e) => ('rolledBack' in e ? [`${e.rolledBack.planId}#${e.rolledBack.index}`] : [])),
  );
  return history.flatMap((e) => ('rolledBack' in e || undone.has(`${e.planId}#${e.index}`) ? [] : [e]));
}
