import { readVersionHeading } from './wording/headings';

/** One version's part of a CHANGELOG as a line scan finds it, before any markdown is parsed. */
export interface ScannedSection {
  /** The version its heading names; null for the text before the first version heading. */
  version: string | null;
  /** 0-based line of the heading (of the first line, for the text before it) and one past the last. */
  startLine: number;
  endLine: number;
  /** Character offsets of the same range. */
  start: number;
  end: number;
  /**
   * The section holds a line that may be a version heading the scan did not take as one (indented,
   * setext, unusual markup, or inside code or HTML), so only parsing the section tells.
   */
  unsure: boolean;
  /**
   * The 0-based lines of the section's ATX headings in the first column, outside code and HTML (its
   * own heading first). Such a heading closes every block before it, so the text between two of them
   * can be read on its own.
   */
  headings: number[];
}

export interface ChangelogScan {
  sections: ScannedSection[];
  /** Link reference definitions: markdown applies them to the whole file, so every part needs them. */
  definitions: string[];
  /**
   * false when the file holds a construct whose extent depends on list or quote nesting the scan does
   * not follow (an indented fence or HTML block with less indented lines inside, a definition inside a
   * container). The caller then parses the whole file.
   */
  certain: boolean;
}

const ATX = /^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const VERSIONISH = /\d+\.\d+\.\d+/;
const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/;
const SETEXT_UNDERLINE = /^(?:=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^(?:(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|(?:\*[ \t]*){3,})$/;
const DEFINITION_START = /^\[(?:[^\\[\]]|\\.)+\]:/;
const DEFINITION_LINE =
  /^\[(?:[^\\[\]]|\\.)+\]:[ \t]*(?:<[^<>\n]*>|\S+)(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^()]*\)))?[ \t]*$/;
// A definition inside a list item or a quote still applies to the whole file.
const CONTAINER = /^(?:>|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$))/;
const NESTED_DEFINITION = /^ {0,3}(?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])[ \t]+)+\[(?:[^\\[\]]|\\.)+\]:/;

// CommonMark's HTML block starts (1–7) with the condition that ends each; 6 and 7 end at a blank line.
const HTML_BLOCKS: { start: RegExp; end: RegExp | null; interruptsParagraph: boolean }[] = [
  {
    start: /^<(?:pre|script|style|textarea)(?:[ \t>]|$)/i,
    end: /<\/(?:pre|script|style|textarea)>/i,
    interruptsParagraph: true,
  },
  { start: /^<!--/, end: /-->/, interruptsParagraph: true },
  { start: /^<\?/, end: /\?>/, interruptsParagraph: true },
  { start: /^<![A-Za-z]/, end: />/, interruptsParagraph: true },
  { start: /^<!\[CDATA\[/, end: /\]\]>/, interruptsParagraph: true },
  {
    start:
      /^<\/?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:[ \t]|\/?>|$)/i,
    end: null,
    interruptsParagraph: true,
  },
  {
    start:
      /^(?:<[A-Za-z][A-Za-z0-9-]*(?:[ \t]+[A-Za-z_:][\w.:-]*(?:[ \t]*=[ \t]*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*[ \t]*\/?>|<\/[A-Za-z][A-Za-z0-9-]*[ \t]*>)[ \t]*$/,
    end: null,
    interruptsParagraph: false,
  },
];

type Open =
  | { kind: 'none' }
  | { kind: 'fence'; close: RegExp; indent: number }
  | { kind: 'html'; end: RegExp | null; indent: number };

/**
 * What the previous line was, as far as the next one cares. An indented line may be code or list text;
 * a list item or quote line may hold a paragraph (which the next line may continue) or a heading. A
 * definition is read the way a paragraph is: a lone HTML tag after it is more of that paragraph.
 */
type Previous = 'blank' | 'text' | 'block' | 'indented' | 'container' | 'definition';

const UNSURE: ChangelogScan = { sections: [], definitions: [], certain: false };

/**
 * Splits a CHANGELOG into version sections by looking at its lines only: a section starts at a level
 * 1–3 ATX heading in the first column whose text is a version, outside fenced code and HTML blocks.
 * A heading the scan cannot be sure about never starts a section; it marks its section `unsure`.
 */
export function scanChangelog(text: string): ChangelogScan {
  const sections: ScannedSection[] = [];
  const definitions: string[] = [];
  const labels = new Map<string, string>();
  let current = section(null, 0, 0);
  let open: Open = { kind: 'none' };
  let previous: Previous = 'blank';
  // Where the current paragraph starts, to look for a version in it when an underline follows.
  let paragraphStart = 0;
  let lineNo = 0;
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  while (at <= text.length) {
    const nl = text.indexOf('\n', at);
    const next = nl < 0 ? text.length + 1 : nl + 1;
    const raw = text.slice(at, nl < 0 ? text.length : nl);
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const indent = indentOf(line);
    const body = line.slice(leadingWhitespace(line));
    const blank = body.length === 0;
    const c = body.charCodeAt(0);

    if (open.kind !== 'none') {
      const ends =
        open.kind === 'fence' ? indent <= 3 && open.close.test(body) : open.end ? open.end.test(line) : blank;
      // An indented fence or HTML block may sit in a list item, which a less indented line closes (and
      // then opens a block of its own, even when it reads like the closing fence).
      if (!blank && open.indent > 0 && indent < open.indent) return UNSURE;
      if (mayBeVersionHeading(line)) current.unsure = true;
      if (ends) {
        open = { kind: 'none' };
        previous = blank ? 'blank' : 'block';
      }
    } else if (blank) {
      previous = 'blank';
    } else if (indent >= 4) {
      // Indented code, or more text of a paragraph or list item; neither starts anything.
      if (previous !== 'text' && previous !== 'container') previous = 'indented';
    } else {
      // Only the first character decides which block a line may start.
      const fence = c === 96 || c === 126 ? FENCE_OPEN.exec(body) : null;
      const atx = c === 35 ? ATX.exec(body) : null;
      const html = c === 60 ? HTML_BLOCKS.find((h) => h.start.test(body)) : undefined;
      const rule = c === 61 || c === 45 || c === 42 || c === 95;
      if (fence && !(fence[1]!.startsWith('`') && fence[2]!.includes('`'))) {
        const char = fence[1]![0] === '`' ? '`' : '~';
        open = { kind: 'fence', close: new RegExp(`^${char}{${fence[1]!.length},}[ \\t]*$`), indent };
      } else if (html && (html.interruptsParagraph || (previous !== 'text' && previous !== 'definition'))) {
        if (!html.interruptsParagraph && (previous === 'indented' || previous === 'container')) return UNSURE;
        const endsHere = html.end?.test(body.slice(1)) ?? false;
        open = endsHere ? { kind: 'none' } : { kind: 'html', end: html.end, indent };
        previous = 'block';
      } else if (atx) {
        const version = indent === 0 && atx[1]!.length <= 3 ? headingVersion(atx[2] ?? '') : null;
        if (version !== null) {
          close(current, lineNo, at);
          sections.push(current);
          current = section(version, lineNo, at);
        }
        if (indent === 0) current.headings.push(lineNo);
        // A heading the scan could not read as a version may still be one to the parser.
        if (version === null && atx[1]!.length <= 3 && VERSIONISH.test(atx[2] ?? '')) current.unsure = true;
        previous = 'block';
      } else if (rule && SETEXT_UNDERLINE.test(body) && (previous === 'text' || previous === 'container')) {
        if (VERSIONISH.test(text.slice(paragraphStart, at))) current.unsure = true;
        if (previous === 'text') previous = 'block';
        // After a list item or quote line an underline cannot reach the paragraph inside it: "===" is
        // more of that paragraph, "---" a thematic break; "-" or "--" depend on the list.
        else if (body.startsWith('=')) previous = 'text';
        else if (/^-{3,}/.test(body)) previous = 'block';
        else return UNSURE;
      } else if (rule && THEMATIC_BREAK.test(body)) {
        previous = 'block';
      } else if (c === 91 && previous !== 'text' && DEFINITION_START.test(body)) {
        if (previous === 'indented' || previous === 'container' || !DEFINITION_LINE.test(body)) return UNSURE;
        // The first definition of a label wins; a later different one would win inside its own part.
        const label = body.slice(1, body.indexOf(']:')).toLowerCase().replace(/\s+/g, ' ');
        const known = labels.get(label);
        if (known !== undefined && known !== body.trim()) return UNSURE;
        labels.set(label, body.trim());
        definitions.push(line);
        previous = 'definition';
      } else {
        if (line.includes(']:') && NESTED_DEFINITION.test(line)) return UNSURE;
        if (previous !== 'text' && previous !== 'container') paragraphStart = at;
        previous = CONTAINER.test(body) ? 'container' : 'text';
      }
    }

    lineNo++;
    at = next;
  }
  // Definitions are appended after each part: an unclosed block at the end of the file would take them in.
  if (open.kind !== 'none' && definitions.length > 0) return UNSURE;
  close(current, lineNo, text.length);
  sections.push(current);
  return {
    sections: sections.filter((s) => s.version !== null || s.end > s.start),
    definitions,
    certain: true,
  };
}

function section(version: string | null, line: number, offset: number): ScannedSection {
  return {
    version,
    startLine: line,
    endLine: line,
    start: offset,
    end: offset,
    unsure: false,
    headings: [],
  };
}

function close(section: ScannedSection, lineNo: number, offset: number): void {
  section.endLine = lineNo;
  section.end = offset;
}

/**
 * The version of a heading's raw text when the scan can be sure markdown reads the same version from
 * it: plain text, optionally starting with a link or a bracketed version. Anything with other inline
 * markup is left to the parser.
 */
function headingVersion(content: string): string | null {
  let t = content;
  const link = /^\[([^[\]\\`*_<>&!]*)\]\([ \t]*<?[^\s()<>]*>?[ \t]*\)/.exec(t);
  if (link) t = link[1]! + t.slice(link[0].length);
  else {
    const bracket = /^\[([^[\]\\`*_<>&!]*)\](?![([:])/.exec(t);
    if (bracket) t = bracket[1]! + t.slice(bracket[0].length);
  }
  if (/[\\`*_<>&![\]]/.test(t)) return null;
  return readVersionHeading(t)?.version ?? null;
}

// Any line that an ATX heading of level 1–3 with a version in it could be, at any indentation a
// heading may have.
function mayBeVersionHeading(line: string): boolean {
  const m = /^ {0,3}(#{1,3})(?:[ \t]|$)/.exec(line);
  return m !== null && VERSIONISH.test(line);
}

function leadingWhitespace(line: string): number {
  let i = 0;
  while (line[i] === ' ' || line[i] === '\t') i++;
  return i;
}

// Columns of leading whitespace, a tab advancing to the next multiple of four.
function indentOf(line: string): number {
  let col = 0;
  for (const c of line) {
    if (c === ' ') col++;
    else if (c === '\t') col += 4 - (col % 4);
    else break;
  }
  return col;
}
