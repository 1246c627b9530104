import semver from 'semver';
import { InvalidInputError } from '../errors/upgrade-error';
import { emptyDraft } from './notes-draft';
import { readMarkdown } from './read-markdown';
import type { ReleaseNotes } from './release-notes';
import { type ReleaseIdentity, settleNotes } from './settle-notes';
import { parseVersionTag } from './version-tag';
import { walkNotes } from './walk-notes';

export interface ParseReleaseNotesOptions {
  /**
   * The release's version, plain (`0.17.0`) or as a tag (`release-v0.17.0`).
   * @default the version heading inside the notes
   */
  version?: string;
  /** The git tag of the release; its prefix gives the tag family. */
  tag?: string;
  /** Release date, YYYY-MM-DD. @default the date in the version heading, if any */
  date?: string;
  /** Where the notes live (the GitHub release page). @default the link in the version heading */
  url?: string;
  /** @default false */
  draft?: boolean;
  /** @default true when the version has a semver prerelease part */
  prerelease?: boolean;
}

/**
 * Reads one release's notes (a GitHub release body or one CHANGELOG section) into constraints a
 * planner can use. Pure: no I/O, no clock. Any markdown is accepted; only input that is not text at
 * all raises (`INVALID_INPUT`, `NOTES_UNREADABLE`), as does notes whose version cannot be told.
 */
export function parseReleaseNotes(markdown: string, options: ParseReleaseNotesOptions = {}): ReleaseNotes {
  const root = readMarkdown(markdown);
  const draft = emptyDraft();
  walkNotes(root.children, draft);
  const identity = resolveIdentity(options, draft.heading?.version);
  return settleNotes(draft, identity);
}

function resolveIdentity(
  options: ParseReleaseNotesOptions,
  headingVersion: string | undefined,
): ReleaseIdentity {
  const fromTag = options.tag === undefined ? null : parseVersionTag(options.tag);
  if (options.tag !== undefined && !fromTag) {
    throw new InvalidInputError({
      message: `tag "${options.tag}" is not a version tag`,
      hint: 'Pass a tag like release-v0.17.0, v0.17.0 or 0.17.0, or pass { version } instead',
    });
  }
  const given = options.version === undefined ? null : parseVersionTag(options.version);
  if (options.version !== undefined && !given) {
    throw new InvalidInputError({
      message: `version "${options.version}" is not a semantic version`,
      hint: 'Pass a version like 0.17.0 (or a tag like release-v0.17.0)',
    });
  }
  if (fromTag && given && fromTag.version !== given.version) {
    throw new InvalidInputError({
      message: `version ${given.version} and tag ${fromTag.tag} disagree`,
      hint: 'Pass only the tag, or a version that matches it',
    });
  }
  const known =
    fromTag ??
    given ??
    (headingVersion && semver.valid(headingVersion) ? parseVersionTag(headingVersion) : null);
  if (!known) {
    throw new InvalidInputError({
      message: 'the release notes do not say which version they describe',
      hint: 'Pass { version } or { tag } to parseReleaseNotes',
    });
  }
  // A plain "0.17.0" passed as version is a version, not a claim that a bare tag exists.
  const tagged = fromTag ?? (given && given.family !== 'bare' ? given : null);
  return {
    version: known.version,
    family: known.family,
    ...(tagged ? { tag: tagged.tag } : {}),
    ...pick(options),
  };
}

function pick(o: ParseReleaseNotesOptions): Partial<ReleaseIdentity> {
  const out: Partial<ReleaseIdentity> = {};
  if (o.date !== undefined) out.date = o.date;
  if (o.url !== undefined) out.url = o.url;
  if (o.draft !== undefined) out.draft = o.draft;
  if (o.prerelease !== undefined) out.prerelease = o.prerelease;
  return out;
}
