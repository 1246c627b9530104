import type { Code, List, ListItem, Nodes } from 'mdast';
import { type LinedText, linedText } from './inline-text';
import type { UpgradeStep } from './release-notes';

/** Commands of a fenced block: one per line, continuations joined, prompts and comments left out. */
export function commandsOf(code: Code): string[] {
  const joined = code.value.replace(/[ \t]*\\\r?\n\s*/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^\$\s+/, ''))
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The prose blocks of a list item (its paragraphs, and those of nested lists) with line numbers. */
export function itemProse(item: ListItem, fallbackLine: number): LinedText[] {
  const out: LinedText[] = [];
  const visit = (node: Nodes): void => {
    if (node.type === 'paragraph' || node.type === 'heading') out.push(linedText(node, fallbackLine));
    else if (node.type === 'list' || node.type === 'listItem' || node.type === 'blockquote') {
      for (const child of node.children) visit(child);
    }
  };
  for (const child of item.children) visit(child);
  return out;
}

/** Every fenced or indented code block inside a node, in document order. */
export function codeBlocksIn(node: Nodes): Code[] {
  if (node.type === 'code') return [node];
  if (!('children' in node)) return [];
  return (node.children as Nodes[]).flatMap(codeBlocksIn);
}

/** One upgrade step per item of a list, with the commands of the code blocks inside the item. */
export function stepsOfList(list: List, fallbackLine: number): { step: UpgradeStep; prose: LinedText[] }[] {
  return list.children.map((item) => {
    const prose = itemProse(item, fallbackLine);
    const text = joinProse(prose);
    const commands = codeBlocksIn(item).flatMap(commandsOf);
    return { step: { text, line: item.position?.start.line ?? fallbackLine, commands }, prose };
  });
}

export function joinProse(prose: LinedText[]): string {
  return prose
    .map((p) => p.text.trim())
    .filter(Boolean)
    .join(' ')
    .replace(/\s+/g, ' ');
}
