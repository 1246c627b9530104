/** A version named in prose: an exact release ("0.17.2") or a line ("0.17", "0.17.x", "the 0.17 line"). */
export interface VersionMention {
  version: string;
  exact: boolean;
}

// Optional tag prefix, two or three numeric parts (or ".x"), optional prerelease, and an optional
// "line"/"series" word that turns an exact-looking version into a line.
const MENTION =
  /(?<![\w.-])(?:release-v|v)?(\d+)\.(\d+)(?:\.(\d+|x))?(-[0-9a-z.]+)?(?![\w-]|\.\d)(\s+(?:line|series|branch|releases?))?/gi;

/** Reads the text of one version mention, e.g. from a heading: "0.18", "v1.0.0", "0.17.x". */
export function readVersionMention(text: string): VersionMention | null {
  const m = new RegExp(MENTION.source, 'i').exec(text.trim());
  return m ? toMention(m) : null;
}

/** Lower-cases a sentence and replaces version mentions by `§0`, `§1`, … into `versions`. */
export function versionTemplate(text: string): { versions: VersionMention[]; template: string } {
  const versions: VersionMention[] = [];
  const template = text.toLowerCase().replace(MENTION, (...args: unknown[]) => {
    versions.push(toMention(args as RegExpExecArray));
    return `§${versions.length - 1}`;
  });
  return { versions, template };
}

function toMention(m: ArrayLike<unknown>): VersionMention {
  const [major, minor, patch, pre, line] = [m[1], m[2], m[3], m[4], m[5]] as (string | undefined)[];
  if (patch === undefined || patch.toLowerCase() === 'x' || line) {
    return { version: `${Number(major)}.${Number(minor)}`, exact: false };
  }
  return { version: `${Number(major)}.${Number(minor)}.${Number(patch)}${pre ?? ''}`, exact: true };
}

/** A mention as comparable semver: a line stands for its first release. */
export function mentionFloor(m: VersionMention): string {
  return m.exact ? m.version : `${m.version}.0`;
}
