import type { Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { InvalidInputError } from '../errors/upgrade-error';
import { NotesUnreadableError } from './notes-error';

// C0 controls other than tab, LF, VT, FF, CR; DEL; and U+FFFD, which is what a UTF-8 decoder leaves
// behind when it is handed a binary file.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const SUSPICIOUS = /[\u0001-\u0008\u000e-\u001f\u007f\ufffd]/g;

/**
 * Guards against input that is not text before markdown parsing. Markdown itself has no syntax
 * errors, so anything that gets past this guard parses.
 */
export function assertMarkdownText(input: unknown, what: string): asserts input is string {
  if (typeof input !== 'string') {
    throw new InvalidInputError({
      message: `${what} must be a string of markdown, got ${describe(input)}`,
      hint: 'Pass the release body or CHANGELOG.md contents as text (decode files as UTF-8 first)',
    });
  }
  const nul = input.indexOf('\u0000');
  if (nul >= 0) {
    throw new NotesUnreadableError({
      message: `${what} contains a NUL byte at line ${lineAt(input, nul)}: this is binary data, not markdown`,
      hint: 'Check that the file or API response is the release notes text and not an archive or image',
    });
  }
  const suspicious = input.match(SUSPICIOUS)?.length ?? 0;
  // A stray control character happens in pasted text; a few percent of them only happens in binaries.
  if (suspicious >= 4 && suspicious > input.length * 0.02) {
    throw new NotesUnreadableError({
      message: `${what} is mostly control characters or undecodable bytes (${suspicious} of ${input.length}): this is not markdown`,
      hint: 'Check the encoding (release notes are UTF-8 text) and that the right file was given',
    });
  }
}

/** Parses release-notes markdown into an mdast tree after {@link assertMarkdownText}. */
export function readMarkdown(input: unknown, what = 'The release notes'): Root {
  assertMarkdownText(input, what);
  return parseMarkdown(input, what);
}

/** Parses text that already passed {@link assertMarkdownText} (a part of a checked file). */
export function parseMarkdown(input: string, what: string): Root {
  try {
    return fromMarkdown(input);
  } catch (cause) {
    // micromark accepts every string; this only guards against a defect in it.
    throw new NotesUnreadableError({
      message: `${what} could not be parsed as markdown`,
      hint: 'Report the input that caused this; meanwhile read the notes by hand',
      cause,
    });
  }
}

/** Number of lines in a text, the highest line number a finding may carry. */
export function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function lineAt(text: string, offset: number): number {
  return countLines(text.slice(0, offset));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'raw bytes';
  return `a value of type ${typeof value}`;
}
