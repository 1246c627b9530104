import semver from 'semver';
import { InvalidInputError } from '../errors/upgrade-error';
import type { TagFamily } from './release-notes';

/** A git tag read as a version. `version` is plain semver without any prefix. */
export interface VersionTag {
  tag: string;
  version: string;
  family: TagFamily;
  prerelease: boolean;
}

// Engram carries three unrelated tag families on one repository (release-vX.Y.Z deploy tags, vX.Y.Z
// from the pre-Elixir project, bare X.Y.Z from release-please). The prefix is the family.
const PREFIXES: readonly [string, TagFamily][] = [
  ['release-v', 'release-v'],
  ['v', 'v'],
  ['', 'bare'],
];

/**
 * Reads a tag such as `release-v0.17.0`, `v2.8.1` or `0.5.688`. Returns null for anything that is not a
 * strict semver behind one of the three prefixes (`pre-python-removal`, `latest`, `0.17`).
 */
export function parseVersionTag(tag: string): VersionTag | null {
  const trimmed = tag.trim();
  for (const [prefix, family] of PREFIXES) {
    if (!trimmed.startsWith(prefix)) continue;
    const rest = trimmed.slice(prefix.length);
    // semver.valid accepts a leading "v" and "=": reject them so "release-vv1.0.0" stays unparsed.
    if (!/^\d/.test(rest)) continue;
    const version = semver.valid(rest);
    if (version === null) continue;
    return { tag: trimmed, version, family, prerelease: semver.prerelease(version) !== null };
  }
  return null;
}

/** Like {@link parseVersionTag} but throws an `INVALID_INPUT` error naming the tag. */
export function requireVersionTag(tag: string): VersionTag {
  const parsed = parseVersionTag(tag);
  if (parsed) return parsed;
  throw new InvalidInputError({
    message: `"${tag}" is not a version tag`,
    hint: 'Use a tag of the form release-vX.Y.Z, vX.Y.Z or X.Y.Z',
  });
}

/** The tag a release of `version` gets in `family` (`0.17.0`, 'release-v' → `release-v0.17.0`). */
export function formatVersionTag(version: string, family: TagFamily): string {
  return family === 'bare' ? version : `${family}${version}`;
}

/**
 * Orders two tags of the same family. Tags of different families are never compared: `v2.8.1` predates
 * `0.6.0` in Engram's history, so any answer would be wrong.
 */
export function compareVersionTags(a: VersionTag, b: VersionTag): number {
  if (a.family !== b.family) {
    throw new InvalidInputError({
      message: `cannot order ${a.tag} and ${b.tag}: they belong to different tag families (${a.family}, ${b.family})`,
      hint: 'Compare versions only within one tag family; Engram release tags are release-vX.Y.Z',
    });
  }
  return semver.compare(a.version, b.version);
}
