import type { Nodes, PhrasingContent } from 'mdast';

/** Plain text of a block with the source line of every character and the inline code spans in it. */
export interface LinedText {
  text: string;
  /** Offsets where a new source line starts, with that line (first entry is offset 0). */
  marks: { offset: number; line: number }[];
  code: { start: number; end: number; value: string }[];
}

/** One sentence of prose, traced to the line it starts on. */
export interface Sentence {
  text: string;
  line: number;
  /** Contents of the inline code spans inside the sentence. */
  code: string[];
}

/** Flattens the inline content of a paragraph or heading, keeping line numbers. */
export function linedText(node: Nodes, fallbackLine: number): LinedText {
  const out: LinedText = { text: '', marks: [], code: [] };
  const startLine = node.position?.start.line ?? fallbackLine;
  out.marks.push({ offset: 0, line: startLine });
  if ('children' in node) {
    for (const child of node.children as PhrasingContent[]) append(out, child, startLine);
  } else if ('value' in node && typeof node.value === 'string') {
    appendText(out, node.value, startLine);
  }
  return out;
}

function append(out: LinedText, node: PhrasingContent, fallbackLine: number): void {
  const line = node.position?.start.line ?? fallbackLine;
  switch (node.type) {
    case 'text':
      appendText(out, node.value, line);
      return;
    case 'inlineCode': {
      const start = out.text.length;
      appendText(out, node.value.replace(/\n/g, ' '), line);
      out.code.push({ start, end: out.text.length, value: node.value.trim() });
      return;
    }
    case 'break':
      appendText(out, ' ', line);
      return;
    case 'image':
      appendText(out, node.alt ?? '', line);
      return;
    case 'html':
      // Inline tags carry no prose; keep a space so words on either side stay apart.
      appendText(out, ' ', line);
      return;
    default:
      if ('children' in node) for (const child of node.children) append(out, child, line);
  }
}

function appendText(out: LinedText, value: string, line: number): void {
  const last = out.marks[out.marks.length - 1];
  if (!last || last.line !== line) out.marks.push({ offset: out.text.length, line });
  let from = 0;
  for (let nl = value.indexOf('\n'); nl >= 0; nl = value.indexOf('\n', nl + 1)) {
    out.text += `${value.slice(from, nl)} `;
    from = nl + 1;
    line++;
    out.marks.push({ offset: out.text.length, line });
  }
  out.text += value.slice(from);
}

/** The source line of a character offset. */
export function lineOf(t: LinedText, offset: number): number {
  let line = t.marks[0]?.line ?? 1;
  for (const m of t.marks) {
    if (m.offset > offset) break;
    line = m.line;
  }
  return line;
}

// A sentence ends at . ! ? followed by space and something that starts a new sentence. Dots inside
// version numbers ("0.17.0") and file names (".env") are never followed by a space, so they survive.
// A GitHub alert marker ("[!WARNING]") opening a blockquote stands alone, so the next line keeps its number.
const SENTENCE_END = /[.!?]+["')\]]*\s+(?=["'([*_`]?[A-Z0-9])|^\[![A-Za-z]+\]\s+/g;

/** Splits flattened text into sentences with their starting line. */
export function sentences(t: LinedText): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  const push = (end: number): void => {
    const raw = t.text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text) {
      const from = start + lead;
      const code = t.code.filter((c) => c.start >= from && c.end <= end).map((c) => c.value);
      out.push({ text, line: lineOf(t, from), code });
    }
  };
  for (const m of t.text.matchAll(SENTENCE_END)) {
    const end = m.index + m[0].length;
    if (isAbbreviation(t.text, m.index)) continue;
    push(end);
    start = end;
  }
  push(t.text.length);
  return out;
}

function isAbbreviation(text: string, dot: number): boolean {
  const before = text.slice(Math.max(0, dot - 4), dot + 1).toLowerCase();
  return /(?:\be\.g|\bi\.e|\betc|\bvs)\.$/.test(before);
}
