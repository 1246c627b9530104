import { isScalar, type Scalar, visit } from 'yaml';
import { z } from 'zod';
import { UpgradeError } from '../errors/upgrade-error';
import { fileLabel, readComposeYaml, serviceImageKeys } from './compose-yaml';
import { editEnvFile } from './edit-env-file';
import type { LocatedImage } from './image-location';
import { parseImageReference } from './image-reference';
import { type EnvInput, interpolate, lookupIn, parseTemplate } from './interpolate';
import { type ComposeFile, locateImageInFiles } from './locate-image';
import { parseEnvFile } from './parse-env-file';

/** A whole-file change: write `after` where `before` is (an executor should check `before` first). */
export const FileEditSchema = z.object({ path: z.string(), before: z.string(), after: z.string() });
export type FileEdit = z.infer<typeof FileEditSchema>;

export interface PinImageInput {
  /** The project's compose files, in `-f` order. */
  files: readonly ComposeFile[];
  /** The `.env` compose interpolates with, or `null` when there is none (a pin through a variable creates it). */
  envText: string | null;
  /** Where that `.env` is, for the edit (`null`: the default). @default '.env' */
  envPath?: string | null;
  /**
   * The shell environment compose runs in. Compose prefers it to `.env`, so a pin through a variable
   * set there is refused (editing `.env` would not change the image).
   * @default {}
   */
  environment?: EnvInput;
  service: string;
  /** Where the image is written, from `locateImageInFiles` (it must still match the files). */
  location: LocatedImage;
  /** The reference to pin, e.g. `ghcr.io/engram-app/engram:0.18.1@sha256:…`. */
  newReference: string;
}

export interface PinImageResult {
  /** The files to rewrite: none when the image already is `newReference`, else exactly one. */
  edits: FileEdit[];
}

/**
 * Rewrites the one place that decides `service`'s image so that compose runs `newReference`: the
 * `image:` value in the compose file that holds it (only that scalar changes; every other byte,
 * comment and key stays), or, for `image: …${VAR}…`, the variable's line in `.env`. The result is read
 * back with `locateImageInFiles` before it is returned.
 *
 * @throws InvalidInputError when `newReference` is not a valid image reference.
 * @throws UpgradeError `PLAN_STALE` when the files no longer match `location`.
 * @throws UpgradeError `COMPOSE_EDIT` when the image cannot be changed in that one place (written in a
 *   shared YAML anchor, a variable that cannot express the new reference or that the shell overrides),
 *   or the edited files do not read back as `newReference`.
 */
export function pinImage(input: PinImageInput): PinImageResult {
  const { files, envText, service, location, newReference } = input;
  const envPath = input.envPath ?? '.env';
  const environment = input.environment ?? {};
  parseImageReference(newReference);
  const current = locateImageInFiles(files, service, effectiveEnv(envText, envPath, environment));
  if (!sameLocation(current, location)) {
    throw new UpgradeError('PLAN_STALE', {
      message: `The image of service "${service}" is now ${JSON.stringify(current.reference)} (${current.kind}, in ${fileLabel(current.path)}), not ${JSON.stringify(location.reference)} (${location.kind}, in ${fileLabel(location.path)}) as located before`,
      unchanged: 'No file was changed',
      hint: 'Someone edited the compose files or .env since: locate the image (plan) again',
    });
  }
  if (current.reference === newReference) return { edits: [] };
  const edit =
    current.kind === 'variable'
      ? pinVariable(current, envText, envPath, environment, newReference)
      : pinScalar(files, service, current, newReference);
  const newFiles = files.map((f) =>
    f.path === edit.path && current.kind !== 'variable' ? { ...f, text: edit.after } : f,
  );
  const newEnv = current.kind === 'variable' ? edit.after : envText;
  let reread: LocatedImage | undefined;
  let cause: unknown;
  try {
    reread = locateImageInFiles(newFiles, service, effectiveEnv(newEnv, envPath, environment));
  } catch (error) {
    cause = error;
  }
  if (reread?.reference !== newReference || reread.path !== current.path) {
    throw editFailed(
      `the edited ${fileLabel(edit.path)} ${reread ? `reads back as ${JSON.stringify(reread.reference)}` : 'no longer reads back'} instead of ${JSON.stringify(newReference)}`,
      `Set the image of "${service}" to ${newReference} by hand`,
      cause,
    );
  }
  return { edits: [edit] };
}

/** `.env` values with the shell's on top, as compose interpolates. */
function effectiveEnv(envText: string | null, path: string, environment: EnvInput): Map<string, string> {
  const env =
    envText === null ? new Map<string, string>() : parseEnvFile(envText, { path, environment }).entries;
  const shell = environment instanceof Map ? environment : new Map(Object.entries(environment));
  for (const [name, value] of shell) env.set(name, value);
  return env;
}

function sameLocation(a: LocatedImage, b: LocatedImage): boolean {
  if (a.kind !== b.kind || a.reference !== b.reference || a.path !== b.path) return false;
  return (
    a.kind !== 'variable' || (b.kind === 'variable' && a.variable === b.variable && a.template === b.template)
  );
}

function pinScalar(files: readonly ComposeFile[], service: string, at: LocatedImage, ref: string): FileEdit {
  const file = files.find((f) => f.path === at.path)!;
  const label = fileLabel(at.path);
  const doc = readComposeYaml(file.text, file.path);
  const key = serviceImageKeys(doc, service, file.path)?.image;
  const node = key?.node;
  if (!key || !isScalar(node) || !node.range) {
    throw editFailed(`the image of "${service}" could not be found again in ${label}`, 'Edit it by hand');
  }
  if (key.via !== 'direct' || (node.anchor && isAliased(doc, node.anchor))) {
    throw editFailed(
      `the image of "${service}" in ${label} is written in a YAML anchor that other keys share (${key.via === 'direct' ? `&${node.anchor}` : `reached through ${key.via === 'alias' ? 'an alias' : 'a << merge'}`}), so changing it there would change them too`,
      `Give "${service}" its own image: line, or change the anchor by hand`,
    );
  }
  const rendered = renderScalar(node, ref);
  if (rendered === undefined) {
    throw editFailed(
      `the image of "${service}" in ${label} is a block scalar`,
      'Write it as image: <reference> on one line',
    );
  }
  const [start, end] = node.range;
  return {
    path: file.path,
    before: file.text,
    after: file.text.slice(0, start) + rendered + file.text.slice(end),
  };
}

/** The new value in the scalar's own style; references never need escaping in any of them. */
function renderScalar(node: Scalar, ref: string): string | undefined {
  switch (node.type) {
    case 'QUOTE_SINGLE':
      return `'${ref}'`;
    case 'QUOTE_DOUBLE':
      return `"${ref}"`;
    case 'PLAIN':
      // A plain scalar cannot start with "[" (a flow sequence): an IPv6 registry needs quotes.
      return ref.startsWith('[') ? `"${ref}"` : ref;
    default:
      return undefined;
  }
}

function isAliased(doc: ReturnType<typeof readComposeYaml>, anchor: string): boolean {
  let aliased = false;
  visit(doc, {
    Alias(_, alias) {
      if (alias.source === anchor) aliased = true;
    },
  });
  return aliased;
}

function pinVariable(
  at: Extract<LocatedImage, { kind: 'variable' }>,
  envText: string | null,
  envPath: string,
  environment: EnvInput,
  ref: string,
): FileEdit {
  const parts = parseTemplate(at.template);
  const index = parts.findLastIndex((p) => p.kind === 'variable');
  const part = parts[index];
  if (part?.kind !== 'variable') throw editFailed(`${at.template} has no variable`, 'Locate the image again');
  const written = `image: ${at.template} in ${fileLabel(at.path)}`;
  if (part.operator === '+' || part.operator === ':+') {
    throw editFailed(
      `${written} uses ${part.source}, whose value is not the variable's own`,
      `Change ${fileLabel(at.path)} to image: ${ref} by hand`,
    );
  }
  if (lookupIn(environment)(part.name) !== undefined) {
    throw editFailed(
      `${part.name} is set in the environment docker compose runs in, which compose prefers over ${envPath}, so changing ${envPath} would not change the image`,
      `Unset ${part.name} in that environment (or set it to the new value there), then pin again`,
    );
  }
  const env = effectiveEnv(envText, envPath, environment);
  const lookup = (name: string) => env.get(name);
  const prefix = interpolate(parts.slice(0, index), lookup);
  const suffix = interpolate(parts.slice(index + 1), lookup);
  if (!ref.startsWith(prefix) || !ref.endsWith(suffix) || ref.length <= prefix.length + suffix.length) {
    throw editFailed(
      `${written} can only change through ${part.name}, and ${ref} does not have the form ${prefix}<${part.name}>${suffix}`,
      `Change the image: line to ${ref} by hand, or pin a reference of that form`,
    );
  }
  const value = ref.slice(prefix.length, ref.length - suffix.length);
  const before = envText ?? '';
  return { path: envPath, before, after: editEnvFile(before, [{ op: 'set', name: part.name, value }]) };
}

function editFailed(what: string, hint: string, cause?: unknown): UpgradeError {
  return new UpgradeError('COMPOSE_EDIT', {
    message: `Cannot pin the image: ${what}`,
    unchanged: 'No file was changed',
    hint,
    cause,
  });
}
