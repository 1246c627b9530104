import { z } from 'zod';
import { InvalidInputError } from '../errors/upgrade-error';

/** A Docker image reference taken apart: `[registry/]path[:tag][@digest]`. */
export interface ImageReference {
  /** `host[:port]` when the reference names one, e.g. `ghcr.io` or `localhost:5000`. */
  registry: string | undefined;
  /** The repository path inside the registry, e.g. `engram-app/engram` (always lower case). */
  path: string;
  /** Absent means none was written; docker then pulls `latest`. */
  tag: string | undefined;
  /** `sha256:<64 lower-case hex>`. */
  digest: string | undefined;
}

const ALLOWED = /^[A-Za-z0-9._:/@[\]-]$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])';
const REGISTRY = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?$`,
);
const MAX_TAG = 128;
const MAX_NAME = 255;

/**
 * Parses a Docker image reference, refusing anything a shell, a command line or a registry would read
 * differently: whitespace and line breaks, shell characters (`;`, `$`, `(`, quotes …), a leading `-`,
 * upper case in the repository path, tags over 128 characters, and digests other than `sha256:<64 hex>`.
 *
 * @throws InvalidInputError saying what is wrong with the reference.
 */
export function parseImageReference(text: string): ImageReference {
  const reason = problemOf(text);
  if (typeof reason === 'string') throw invalid(text, reason);
  return reason;
}

/** True when `parseImageReference` would accept `text`. */
export function isImageReference(text: unknown): text is string {
  return typeof text === 'string' && typeof problemOf(text) !== 'string';
}

/** Puts a parsed reference back together. */
export function formatImageReference(ref: ImageReference): string {
  const name = ref.registry === undefined ? ref.path : `${ref.registry}/${ref.path}`;
  return `${name}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** The name without tag or digest: `ghcr.io/engram-app/engram:0.18.1@sha256:…` → `ghcr.io/engram-app/engram`. */
export function repositoryOf(ref: string): string {
  const { registry, path } = parseImageReference(ref);
  return formatImageReference({ registry, path, tag: undefined, digest: undefined });
}

/** The tag as written, or `undefined` when there is none (docker would pull `latest`). */
export function tagOf(ref: string): string | undefined {
  return parseImageReference(ref).tag;
}

/** The `sha256:…` digest, or `undefined` when the reference is not pinned to one. */
export function digestOf(ref: string): string | undefined {
  return parseImageReference(ref).digest;
}

/**
 * The same repository at another tag. A digest is dropped: it pins the old content, so keeping it
 * would make the new tag a lie.
 *
 * @throws InvalidInputError for an invalid reference or tag.
 */
export function withTag(ref: string, tag: string): string {
  const parsed = parseImageReference(ref);
  return checked(formatImageReference({ ...parsed, tag, digest: undefined }), 'tag', tag);
}

/**
 * The same repository and tag pinned to `digest` (`repo:tag@sha256:…`), replacing any digest it had.
 * The tag stays for people reading the file; docker pulls by digest.
 *
 * @throws InvalidInputError for an invalid reference or digest.
 */
export function withDigest(ref: string, digest: string): string {
  const parsed = parseImageReference(ref);
  return checked(formatImageReference({ ...parsed, digest }), 'digest', digest);
}

/** A string that is a valid image reference, for records that go into plans. */
export const ImageReferenceSchema = z.string().refine(isImageReference, {
  error: (issue) => `not a valid image reference: ${describe(issue.input)}`,
});

function checked(result: string, what: 'tag' | 'digest', part: string): string {
  const reason = problemOf(result);
  if (typeof reason !== 'string') return result;
  throw new InvalidInputError({
    message: `${JSON.stringify(part)} is not a valid image ${what}: ${reason}`,
    hint:
      what === 'tag'
        ? 'A tag is 1 to 128 letters, digits, _, . and -, not starting with . or -'
        : 'A digest is sha256: followed by 64 lower-case hex digits, as `docker buildx imagetools inspect` prints it',
  });
}

function describe(input: unknown): string {
  if (typeof input !== 'string') return `expected a string, got ${typeof input}`;
  const reason = problemOf(input);
  return typeof reason === 'string' ? reason : 'valid';
}

function invalid(text: string, reason: string): InvalidInputError {
  return new InvalidInputError({
    message: `${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)} is not a valid image reference: ${reason}`,
    hint: 'Write it as [registry/]repository[:tag][@sha256:<digest>], e.g. ghcr.io/engram-app/engram:0.18.1',
  });
}

/** The parsed reference, or a sentence saying what is wrong with it. */
function problemOf(text: unknown): ImageReference | string {
  if (typeof text !== 'string') return `expected a string, got ${typeof text}`;
  if (text === '') return 'it is empty';
  if (text.startsWith('-')) return 'it starts with "-", which a command line would read as an option';
  for (const ch of text) {
    if (/\s/.test(ch)) return 'it contains whitespace or a line break';
    if (!ALLOWED.test(ch))
      return `it contains ${JSON.stringify(ch)}, which cannot appear in an image reference`;
  }
  const at = text.indexOf('@');
  if (at !== text.lastIndexOf('@')) return 'it contains more than one "@"';
  const digest = at === -1 ? undefined : text.slice(at + 1);
  if (digest !== undefined && !DIGEST.test(digest)) {
    return `the digest ${JSON.stringify(digest)} is not sha256: followed by 64 lower-case hex digits`;
  }
  const name = at === -1 ? text : text.slice(0, at);
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  if (tag !== undefined) {
    if (tag.length > MAX_TAG) return `the tag is ${tag.length} characters long; the limit is ${MAX_TAG}`;
    if (!TAG.test(tag)) {
      return `the tag ${JSON.stringify(tag)} must be letters, digits, _, . and -, and not start with . or -`;
    }
  }
  const fullName = hasTag ? name.slice(0, colon) : name;
  if (fullName.length > MAX_NAME) return `the name is longer than ${MAX_NAME} characters`;
  const components = fullName.split('/');
  const first = components[0]!;
  const hasRegistry =
    components.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first));
  if (hasRegistry && !REGISTRY.test(first))
    return `the registry ${JSON.stringify(first)} is not a host[:port]`;
  const pathComponents = hasRegistry ? components.slice(1) : components;
  for (const c of pathComponents) {
    if (c === '') return 'the repository path has an empty component (a leading, trailing or doubled "/")';
    if (/[A-Z]/.test(c))
      return `the repository path ${JSON.stringify(pathComponents.join('/'))} must be lower case`;
    if (!PATH_COMPONENT.test(c)) {
      return `the repository path component ${JSON.stringify(c)} must be lower-case letters and digits separated by ., _, __ or -`;
    }
  }
  return {
    registry: hasRegistry ? first : undefined,
    path: pathComponents.join('/'),
    tag,
    digest,
  };
}
