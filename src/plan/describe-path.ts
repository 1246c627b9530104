import { pathView, type ViewItem } from './path-view';
import type { UpgradePath } from './upgrade-path';

export interface DescribePathOptions {
  /**
   * `text` for a terminal (plain, no colour codes), `markdown` for a pull-request comment.
   * @default 'text'
   */
  format?: 'text' | 'markdown';
}

/** Renders a plan for a person: every stop, why it is there, what to do before it and how to undo it. */
export function describePath(path: UpgradePath, options: DescribePathOptions = {}): string {
  return (options.format ?? 'text') === 'markdown' ? toMarkdown(path) : toText(path);
}

function toText(path: UpgradePath): string {
  const view = pathView(path);
  const out = [view.title, view.summary];
  for (const hop of view.hops) {
    out.push('', `${hop.title}${hop.oneWay ? '  [ONE-WAY]' : ''}`);
    for (const block of hop.blocks) {
      if (block.items.length === 1 && !block.items[0]!.commands?.length) {
        out.push(`  ${block.label}: ${block.items[0]!.text}`);
        continue;
      }
      out.push(`  ${block.label}:`);
      block.items.forEach((item, k) => {
        out.push(...textItem(item, block.ordered ? `${k + 1}.` : '-'));
      });
    }
  }
  list(out, 'Warnings', view.warnings);
  list(out, 'Needs review (read these in the notes)', view.needsReview);
  return `${out.join('\n')}\n`;
}

function textItem(item: ViewItem, marker: string): string[] {
  const lines = [`    ${marker} ${item.text}`];
  for (const command of item.commands ?? []) {
    for (const line of command.split('\n')) lines.push(`        ${line}`);
  }
  return lines;
}

function list(out: string[], label: string, items: string[]): void {
  if (items.length === 0) return;
  out.push('', `${label}:`, ...items.map((i) => `  - ${i}`));
}

function toMarkdown(path: UpgradePath): string {
  const view = pathView(path);
  const out = [`### ${view.title}`, '', view.summary];
  for (const hop of view.hops) {
    out.push('', `#### ${hop.title}${hop.oneWay ? ' ⚠️ one-way' : ''}`, '');
    for (const block of hop.blocks) {
      if (block.items.length === 1 && !block.items[0]!.commands?.length) {
        out.push(`- **${block.label}:** ${block.items[0]!.text}`);
        continue;
      }
      out.push(`- **${block.label}:**`);
      for (const [k, item] of block.items.entries()) {
        const bullet = `  ${block.ordered ? `${k + 1}.` : '-'} `;
        out.push(`${bullet}${item.text}`);
        // A fence indented to the item's content column stays inside the list item.
        const pad = ' '.repeat(bullet.length);
        for (const command of item.commands ?? []) {
          const fence = fenceFor(command);
          out.push(
            '',
            `${pad}${fence}sh`,
            ...command.split('\n').map((l) => `${pad}${l}`),
            `${pad}${fence}`,
            '',
          );
        }
      }
    }
  }
  if (view.warnings.length > 0) out.push('', '**Warnings**', '', ...view.warnings.map((w) => `- ${w}`));
  if (view.needsReview.length > 0) {
    out.push('', '**Needs review** (read these in the notes)', '', ...view.needsReview.map((r) => `- ${r}`));
  }
  return `${out.join('\n')}\n`;
}

/** A backtick fence longer than any run of backticks inside the command, so it is shown verbatim. */
function fenceFor(command: string): string {
  const longest = Math.max(0, ...(command.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}
