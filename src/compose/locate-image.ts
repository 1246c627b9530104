import { isScalar } from 'yaml';
import { InvalidInputError, UpgradeError } from '../errors/upgrade-error';
import { fileLabel, readComposeYaml, type ServiceKey, serviceImageKeys, serviceNames } from './compose-yaml';
import type { ImageLocation, LocatedImage } from './image-location';
import { parseImageReference } from './image-reference';
import { type EnvInput, interpolate, lookupIn, parseTemplate, type TemplatePart } from './interpolate';

/** One compose file: where it is, and its text. */
export interface ComposeFile {
  path: string;
  text: string;
}

/** Where Engram's published image lives (its CI pushes `X.Y.Z`, `latest` and `<sha7>` tags there). */
export const PUBLISHED_ENGRAM_IMAGE = 'ghcr.io/engram-app/engram';

/**
 * Finds how `service`'s image is written in one compose file, and what it resolves to with `env`
 * (the variables compose interpolates with: `.env` and the shell).
 *
 * @throws UpgradeError `COMPOSE_NO_IMAGE` when the service has no `image:` (Engram's stock compose
 *   file builds from source: there is no tag to pull or pin).
 * @throws InvalidInputError when the service does not exist, the file is not valid YAML, a variable the
 *   image needs is not set, or the image resolves to something that is not an image reference.
 */
export function locateImage(composeText: string, service: string, env: EnvInput): ImageLocation {
  const { path: _path, ...location } = locateImageInFiles([{ path: '', text: composeText }], service, env);
  return location;
}

/**
 * Like `locateImage` over the files of `docker compose -f a.yml -f b.yml`: a later file's `image:`
 * overrides an earlier one's (and `image: !reset null` removes it), so the result names the file whose
 * `image:` is in effect.
 */
export function locateImageInFiles(
  files: readonly ComposeFile[],
  service: string,
  env: EnvInput,
): LocatedImage {
  if (typeof service !== 'string' || service === '') {
    throw new InvalidInputError({
      message: 'No service name was given',
      hint: 'Pass the app service, e.g. "engram"',
    });
  }
  if (files.length === 0) {
    throw new InvalidInputError({
      message: 'No compose file was given',
      hint: "Pass the project's compose files",
    });
  }
  let found = false;
  let image: { path: string; key: ServiceKey } | undefined;
  let build: { path: string; key: ServiceKey } | undefined;
  let extendsFrom: string | undefined;
  const names = new Set<string>();
  for (const file of files) {
    const doc = readComposeYaml(file.text, file.path);
    for (const name of serviceNames(doc)) names.add(name);
    const keys = serviceImageKeys(doc, service, file.path);
    if (!keys) continue;
    found = true;
    if (keys.image) image = isReset(keys.image) ? undefined : { path: file.path, key: keys.image };
    if (keys.build) build = isReset(keys.build) ? undefined : { path: file.path, key: keys.build };
    if (keys.extends) extendsFrom = file.path;
  }
  const where =
    files.length === 1 ? fileLabel(files[0]!.path) : files.map((f) => fileLabel(f.path)).join(', ');
  if (!found) {
    throw new InvalidInputError({
      message: `There is no service "${service}" in ${where}; ${names.size === 0 ? 'it defines no services' : `the services are ${[...names].join(', ')}`}`,
      hint: 'Name the service that runs the Engram app',
    });
  }
  if (!image) throw noImage(service, build, extendsFrom, where);
  if (build) throw buildsToo(service, image.path, build.path);
  const node = image.key.node;
  if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
    throw new InvalidInputError({
      message: `The image of service "${service}" in ${fileLabel(image.path)} is ${node === null || (isScalar(node) && node.value === null) ? 'empty' : 'not a string'}`,
      hint: `Write it as image: ${PUBLISHED_ENGRAM_IMAGE}:<version>`,
    });
  }
  return {
    ...classify(node.value, lookupIn(env), `service "${service}" in ${fileLabel(image.path)}`),
    path: image.path,
  };
}

function classify(
  template: string,
  lookup: (name: string) => string | undefined,
  where: string,
): ImageLocation {
  const context = (error: unknown): never => {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new InvalidInputError({
      message: `The image of ${where} is ${JSON.stringify(template)}: ${error.summary}`,
      hint: error.hint,
      cause: error,
    });
  };
  let parts: TemplatePart[] = [];
  let reference = '';
  const unset: string[] = [];
  try {
    parts = parseTemplate(template);
    reference = interpolate(parts, lookup, { onUnset: (name) => unset.push(name) });
  } catch (error) {
    context(error);
  }
  if (unset.length > 0) {
    const names = [...new Set(unset)];
    const list = names.join(' and ');
    throw new InvalidInputError({
      message: `The image of ${where} is ${JSON.stringify(template)}, and ${list} ${names.length > 1 ? 'are' : 'is'} not set, so compose would use an empty value`,
      hint: `Set ${list} in .env (for example ${unset[0]}=<version>), or give a default as \${${unset[0]}:-<value>}`,
    });
  }
  try {
    parseImageReference(reference);
  } catch (error) {
    context(error);
  }
  const variables = parts.filter((p) => p.kind === 'variable');
  const last = variables.at(-1);
  if (!last) return reference.includes('@') ? { kind: 'digest', reference } : { kind: 'literal', reference };
  return { kind: 'variable', variable: last.name, template, reference, source: sourceOf(last, lookup) };
}

function sourceOf(
  part: Extract<TemplatePart, { kind: 'variable' }>,
  lookup: (name: string) => string | undefined,
) {
  const value = lookup(part.name);
  switch (part.operator) {
    case ':-':
      return value !== undefined && value !== '' ? 'env' : 'default';
    case '-':
      return value !== undefined ? 'env' : 'default';
    case ':+':
      return value !== undefined && value !== '' ? 'default' : 'env';
    case '+':
      return value !== undefined ? 'default' : 'env';
    default:
      return 'env';
  }
}

function isReset(key: ServiceKey): boolean {
  return key.node !== null && 'tag' in key.node && key.node.tag === '!reset';
}

function noImage(
  service: string,
  build: { path: string; key: ServiceKey } | undefined,
  extendsFrom: string | undefined,
  where: string,
): UpgradeError {
  const pin = `image: ${PUBLISHED_ENGRAM_IMAGE}:<version>`;
  if (build) {
    const node = build.key.node;
    const written = isScalar(node) && typeof node.value === 'string' ? `build: ${node.value}` : 'build:';
    return new UpgradeError('COMPOSE_NO_IMAGE', {
      message: `Service "${service}" in ${fileLabel(build.path)} builds its image from source (${written}) and has no image:, so there is no published tag to pull or pin (this is how Engram's stock compose file is written)`,
      unchanged: 'Nothing was changed',
      hint: `Switch the service to Engram's published image: in ${fileLabel(build.path)}, replace "${written}" under "${service}:" with "${pin}" (the version it runs now, e.g. 0.18.1), run "docker compose up -d ${service}" once, then plan the upgrade again`,
    });
  }
  return new UpgradeError('COMPOSE_NO_IMAGE', {
    message: `Service "${service}" in ${where} has no image:${extendsFrom !== undefined ? ` (it uses extends: in ${fileLabel(extendsFrom)}, which engram-upgrade does not follow)` : ''}, so there is no tag to pull or pin`,
    unchanged: 'Nothing was changed',
    hint: `Add "${pin}" to the "${service}" service, then plan the upgrade again`,
  });
}

function buildsToo(service: string, imagePath: string, buildPath: string): UpgradeError {
  const files =
    imagePath === buildPath ? fileLabel(imagePath) : `${fileLabel(imagePath)} and ${fileLabel(buildPath)}`;
  return new UpgradeError('COMPOSE_NO_IMAGE', {
    message: `Service "${service}" in ${files} has both image: and build:, so compose may build the local source and tag it with that name: changing the tag would not change the code that runs`,
    unchanged: 'Nothing was changed',
    hint: `Remove build: from the "${service}" service so that it runs the published image (${PUBLISHED_ENGRAM_IMAGE}:<version>), then plan the upgrade again`,
  });
}
