import type { Heading, List, ListItem, PhrasingContent } from 'mdast';

type Position = NonNullable<List['position']>;
type Point = Position['start'];

/**
 * Release-please writes most of a CHANGELOG as headings and lists of one-line bullets:
 * `* **scope:** text with `code` ([#12](url)) ([abc1234](url))`. Between two headings, the markdown
 * tree of such a list is known from its lines alone, and building it here costs a small part of what
 * the markdown parser spends on it. Only lines whose every character has one reading are taken: plain
 * text, a leading bold scope, simple code spans and inline links with plain labels. Anything else
 * (emphasis, escapes, entities, HTML, brackets, images, hard breaks) is left to the parser.
 */

// Characters with a meaning in inline markdown that a plain line may not hold in its text.
const SPECIAL = new Set([...'\\*[]<&!\t'].map((c) => c.charCodeAt(0)));
const SCOPE = /^\*\*([A-Za-z0-9][A-Za-z0-9./-]*):\*\* (?=\S)/;
const LINK = /\[([#A-Za-z0-9.-]+)\]\(([^\s()<>\\&`]+)\)/y;
const CODE = /`([^`<[\]]+)`/y;
const BACKTICK = 96;
const BRACKET = 91;
const UNDERSCORE = 95;
const BULLET = /^([-*+]) (?=\S)/;
const ATX = /^(#{1,6}) (?=\S)/;

/** The heading an ATX heading line in the first column is, or null when its text is not plain. */
export function plainHeading(raw: string, line: number): Heading | null {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const m = ATX.exec(text);
  // A closing run of #s is not part of the text; leave such headings to the parser.
  if (!m || text.endsWith('#')) return null;
  const children = phrasing(text.slice(m[0].length), line, m[0].length + 1, false);
  if (!children) return null;
  const depth = m[1]!.length as Heading['depth'];
  return { type: 'heading', depth, children, position: span(point(line, 1), point(line, text.length + 1)) };
}

/**
 * The list a run of bullet lines is, or null when one of them is not plain. `lines` are the run's lines
 * (blank lines between items allowed); `firstLine` is the 1-based line of the first.
 */
export function plainBulletList(lines: readonly string[], firstLine: number): List | null {
  const items: ListItem[] = [];
  let marker: string | undefined;
  let blankBetween = false;
  for (const [k, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') {
      blankBetween = items.length > 0;
      continue;
    }
    const m = BULLET.exec(line);
    if (!m || (marker !== undefined && m[1] !== marker)) return null;
    marker = m[1];
    const at = firstLine + k;
    const children = phrasing(line.slice(2), at, 3, true);
    if (!children) return null;
    const end = point(at, line.length + 1);
    items.push({
      type: 'listItem',
      spread: false,
      checked: null,
      children: [{ type: 'paragraph', children, position: span(point(at, 3), end) }],
      position: span(point(at, 1), end),
    });
  }
  const first = items[0];
  const last = items.at(-1);
  if (!first?.position || !last?.position) return null;
  return {
    type: 'list',
    ordered: false,
    start: null,
    spread: blankBetween,
    children: items,
    position: span(first.position.start, last.position.end),
  };
}

function phrasing(
  content: string,
  line: number,
  column: number,
  itemStart: boolean,
): PhrasingContent[] | null {
  if (content.length === 0 || content !== content.trimEnd()) return null;
  const out: PhrasingContent[] = [];
  let i = 0;
  const scope = SCOPE.exec(content);
  if (scope) {
    const inner = `${scope[1]}:`;
    out.push({
      type: 'strong',
      children: [
        {
          type: 'text',
          value: inner,
          position: span(point(line, column + 2), point(line, column + 2 + inner.length)),
        },
      ],
      position: span(point(line, column), point(line, column + inner.length + 4)),
    });
    i = scope[0].length - 1;
  } else if (itemStart && !/^[A-Za-z`(]/.test(content)) {
    // Anything else at the start of an item may open a block of its own (a heading, a list, a quote).
    return null;
  }
  let textStart = i;
  const flush = (to: number): void => {
    if (to > textStart) {
      const value = content.slice(textStart, to);
      out.push({
        type: 'text',
        value,
        position: span(point(line, column + textStart), point(line, column + to)),
      });
    }
  };
  while (i < content.length) {
    const c = content.charCodeAt(i);
    if (c === BACKTICK) {
      CODE.lastIndex = i;
      const code = CODE.exec(content);
      const end = i + (code?.[0].length ?? 0);
      // A span opens and closes on a lone backtick: "``" is a string of two, which one cannot close.
      if (!code || content[i - 1] === '`' || content[end] === '`') return null;
      if (code[1]!.startsWith(' ') || code[1]!.endsWith(' ')) return null;
      flush(i);
      out.push({
        type: 'inlineCode',
        value: code[1]!,
        position: span(point(line, column + i), point(line, column + end)),
      });
      i = end;
      textStart = i;
    } else if (c === BRACKET) {
      LINK.lastIndex = i;
      const link = LINK.exec(content);
      if (!link) return null;
      flush(i);
      const end = i + link[0].length;
      const label = link[1]!;
      out.push({
        type: 'link',
        url: link[2]!,
        title: null,
        children: [
          {
            type: 'text',
            value: label,
            position: span(point(line, column + i + 1), point(line, column + i + 1 + label.length)),
          },
        ],
        position: span(point(line, column + i), point(line, column + end)),
      });
      i = end;
      textStart = i;
    } else if (c === UNDERSCORE) {
      // Between two letters or digits an underscore cannot open or close emphasis.
      if (!isAlnum(content.charCodeAt(i - 1)) || !isAlnum(content.charCodeAt(i + 1))) return null;
      i++;
    } else if (SPECIAL.has(c)) {
      return null;
    } else {
      i++;
    }
  }
  flush(content.length);
  return out;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function point(line: number, column: number): Point {
  return { line, column };
}

// Every node gets its own points: positions are shifted in place later, once per node.
function span(start: Point, end: Point): Position {
  return { start: { ...start }, end: { ...end } };
}
