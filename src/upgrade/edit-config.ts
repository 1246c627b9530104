import { readFile } from 'node:fs/promises';
import type { ComposeProjectFiles } from '../compose/compose-cli';
import { editEnvFile, parseEnvFile } from '../compose/env-file';
import { locateImageInFiles } from '../compose/locate-image';
import { pinImage } from '../compose/pin-image';
import { UpgradeError } from '../errors';
import { type KeptFile, keepOriginal, sha256Of, writeAtomic } from './kept-files';
import { valueHash } from './plan-upgrade';
import type { PlannedEnvEdit } from './upgrade-plan';

export interface EditConfigInput {
  files: ComposeProjectFiles;
  service: string;
  envEdits: PlannedEnvEdit[];
  /** Values for `set` edits. */
  env: Record<string, string>;
  newReference: string;
  /** Where the originals are kept. */
  keepDir: string;
  label: string;
}

/**
 * Applies a hop's config edits: env renames and new variables in `.env`, and the app's image where
 * the project writes it. Every original is copied (and fsynced) before its file is replaced
 * atomically, so an interruption leaves each file whole, old or new.
 */
export async function editConfig(input: EditConfigInput): Promise<KeptFile[]> {
  // Edits are computed from the originals: after an interrupted run, from the copies it kept.
  const texts = new Map<string, string>();
  const originals = new Map<string, { copy: string; sha256: string }>();
  for (const p of [...input.files.configFiles, ...(input.files.envFile ? [input.files.envFile] : [])]) {
    const o = await keepOriginal(p, input.keepDir, input.label);
    texts.set(p, o.text);
    originals.set(p, o);
  }
  const envPath = input.files.envFile;
  let envText = envPath ? (texts.get(envPath) ?? null) : null;
  const changed = new Map<string, string>();
  if (input.envEdits.length) {
    if (envPath === null || envText === null) {
      throw new UpgradeError('COMPOSE_EDIT', {
        message: 'The hop changes environment variables, and the project has no env file to change',
        unchanged: 'Nothing was changed',
        hint: 'Create the env file compose reads (.env next to the compose file), then plan again',
      });
    }
    envText = editEnvFile(
      envText,
      input.envEdits.map((e) => {
        if (e.op === 'rename') return { op: 'rename' as const, from: e.from, to: e.to, keep: e.keep };
        const value = input.env[e.name];
        if (value === undefined || valueHash(value) !== e.valueSha256) {
          throw new UpgradeError('INVALID_INPUT', {
            message: `The value for ${e.name} was not passed, or is not the one the plan was made with`,
            unchanged: 'Nothing was changed',
            hint: `Pass the same env: { ${e.name}: '…' } to executeUpgrade as to applyUpgrade`,
          });
        }
        return { op: 'set' as const, name: e.name, value };
      }),
    );
    changed.set(envPath, envText);
  }
  const envValues =
    envText !== null ? parseEnvFile(envText, { path: envPath ?? '.env' }).entries : new Map<string, string>();
  const composeFiles = input.files.configFiles.map((path) => ({ path, text: texts.get(path)! }));
  const location = locateImageInFiles(composeFiles, input.service, envValues);
  const pinned = pinImage({
    files: composeFiles,
    envText,
    envPath,
    service: input.service,
    location,
    newReference: input.newReference,
  });
  for (const e of pinned.edits) changed.set(e.path, e.after);
  const kept: KeptFile[] = [];
  for (const [path, after] of changed) {
    if (texts.get(path) === after) continue;
    const o = originals.get(path)!;
    kept.push({ path, copy: o.copy, sha256Before: o.sha256, sha256After: sha256Of(after) });
  }
  for (const k of kept) {
    const now = await readFile(k.path, 'utf8').catch(() => null);
    if (now === null || sha256Of(now) !== k.sha256After) await writeAtomic(k.path, changed.get(k.path)!);
  }
  return kept;
}
