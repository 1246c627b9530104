import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseDocument, type YAMLMap } from 'yaml';
import { InvalidInputError } from '../errors/upgrade-error';

/** How a key was reached: written in the service itself, or borrowed through a YAML alias or merge key. */
export type Via = 'direct' | 'alias' | 'merge';

/** A key of a service: its value node (`null` for an empty value) and how it was reached. */
export interface ServiceKey {
  node: Node | null;
  via: Via;
}

/** The keys of one service that decide its image. */
export interface ServiceImageKeys {
  image: ServiceKey | undefined;
  build: ServiceKey | undefined;
  extends: ServiceKey | undefined;
}

/** A compose file as it is named in messages. */
export function fileLabel(path: string): string {
  return path === '' ? 'the compose file' : path;
}

/**
 * Parses compose YAML, with `<<` merge keys as compose reads them.
 *
 * @throws InvalidInputError when the text is not valid YAML.
 */
export function readComposeYaml(text: string, path: string): Document.Parsed {
  const doc = parseDocument(text, { merge: true });
  const error = doc.errors[0];
  if (error) {
    throw new InvalidInputError({
      message: `${fileLabel(path)} is not valid YAML: ${error.message.split('\n')[0]}`,
      hint: 'Fix the file (`docker compose config` points at the same place), then try again',
      cause: error,
    });
  }
  return doc;
}

/** Names of the services the file defines, in file order. */
export function serviceNames(doc: Document.Parsed): string[] {
  const services = servicesMap(doc);
  if (!services) return [];
  return services.items.flatMap((p) =>
    isScalar(p.key) && typeof p.key.value === 'string' ? [p.key.value] : [],
  );
}

/** The image-related keys of `service`, or `undefined` when this file does not mention the service. */
export function serviceImageKeys(
  doc: Document.Parsed,
  service: string,
  path: string,
): ServiceImageKeys | undefined {
  const services = servicesMap(doc);
  const entry = services?.items.find((p) => isScalar(p.key) && p.key.value === service);
  if (!entry) return undefined;
  let node = entry.value as Node | null;
  let via: Via = 'direct';
  if (isAlias(node)) {
    node = (node.resolve(doc) as Node | undefined) ?? null;
    via = 'alias';
  }
  if (node === null || (isScalar(node) && node.value === null)) {
    return { image: undefined, build: undefined, extends: undefined };
  }
  if (!isMap(node)) {
    throw new InvalidInputError({
      message: `Service "${service}" in ${fileLabel(path)} is not a mapping of keys`,
      hint: 'Fix the file (`docker compose config` reports the same problem)',
    });
  }
  return {
    image: findKey(doc, node, 'image', via, 0),
    build: findKey(doc, node, 'build', via, 0),
    extends: findKey(doc, node, 'extends', via, 0),
  };
}

function servicesMap(doc: Document.Parsed): YAMLMap | undefined {
  const services = doc.get('services', true);
  return isMap(services) ? services : undefined;
}

/** `key` in `map`: written there, else from its `<<` merge sources (earlier sources win, as in YAML). */
function findKey(
  doc: Document.Parsed,
  map: YAMLMap,
  key: string,
  via: Via,
  depth: number,
): ServiceKey | undefined {
  if (depth > 16) return undefined;
  const own = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (own) {
    const value = own.value as Node | null;
    if (isAlias(value)) return { node: (value.resolve(doc) as Node | undefined) ?? null, via: 'alias' };
    return { node: value, via };
  }
  for (const pair of map.items) {
    if (!isScalar(pair.key) || (pair.key.value !== '<<' && typeof pair.key.value !== 'symbol')) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const target = isAlias(source) ? source.resolve(doc) : source;
      if (!isMap(target)) continue;
      const found = findKey(doc, target, key, 'merge', depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
