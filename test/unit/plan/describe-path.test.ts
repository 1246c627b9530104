import type { Code, List, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { describe, expect, it } from 'vitest';
import { describePath, planUpgradePath } from '../../../src/plan';
import { engramSeries, notes } from './series-notes';

const releases = engramSeries();
const path = planUpgradePath({ from: '0.14.1', to: '1.0.0', releases });

function codeBlocks(node: Root | Root['children'][number]): Code[] {
  if (node.type === 'code') return [node];
  return 'children' in node ? node.children.flatMap((c) => codeBlocks(c as Root['children'][number])) : [];
}

describe('describePath for a terminal', () => {
  const text = describePath(path);

  it('names every stop, why it is there and how it is undone', () => {
    expect(text).toContain('3 hops: 0.14.1 → 0.17.0 → 0.18.1 → 1.0.0');
    expect(text).toContain('Hop 1 of 3: 0.14.1 → 0.17.0  [ONE-WAY]');
    expect(text).toContain('0.18.0 may only be applied from the 0.17 line or later (0.18.0 notes, line 12)');
    expect(text).toContain('Backup: required, quiesced.');
    expect(text).toMatch(/Undo: restore the backup taken before this hop.*0\.17\.0, line 9/);
    expect(text).toContain(
      'Undo: roll back with the migrator run from the 0.18.1 image, then start 0.17.0 again',
    );
    expect(text).not.toContain('\u001b[');
  });

  it('prints the manual steps numbered, with each command line as written', () => {
    const lines = text.split('\n');
    const third = lines.findIndex((l) => l.includes('3. Pull and start the new image'));
    expect(third).toBeGreaterThan(0);
    expect(lines.slice(third + 1, third + 3).map((l) => l.trim())).toEqual([
      'docker compose pull engram',
      'docker compose up -d engram',
    ]);
    expect(text).toContain('echo "ENGRAM_INSTANCE_NAME=my-engram" >> .env');
  });

  it('shows what needs review and the warnings', () => {
    expect(text).toContain('0.18.0, line 20: "Stop background sync before upgrading."');
    const withDraft = [...releases, notes('0.18.0-rc.1', { prerelease: true })];
    const warned = describePath(planUpgradePath({ from: '0.17.0', to: '0.18.1', releases: withDraft }));
    expect(warned).toMatch(/Warnings:\n {2}- Prereleases 0\.18\.0-rc\.1 are not planned/);
  });

  it('says there is nothing to do for an empty path', () => {
    const empty = describePath(planUpgradePath({ from: '1.1.0', to: 'latest', releases }));
    expect(empty).toContain('Already on 1.1.0: nothing to do.');
    expect(empty).not.toContain('Hop');
  });
});

describe('describePath as markdown', () => {
  const md = describePath(path, { format: 'markdown' });
  const tree = fromMarkdown(md);

  it('keeps every command verbatim in a code block inside its numbered step', () => {
    const blocks = codeBlocks(tree);
    expect(blocks.map((b) => b.value)).toEqual(path.hops[2]!.manualSteps.flatMap((s) => s.commands));
    const ordered = tree.children
      .filter((n): n is List => n.type === 'list')
      .flatMap((l) => l.children.flatMap((i) => i.children))
      .filter((n): n is List => n.type === 'list' && n.ordered === true);
    expect(ordered).toHaveLength(1);
    expect(ordered[0]!.children).toHaveLength(3);
    expect(codeBlocks(ordered[0]! as unknown as Root)).toHaveLength(2);
  });

  it('uses a longer fence when a command contains backticks', () => {
    const tricky = planUpgradePath({
      from: '0.18.1',
      to: '1.0.0',
      releases: releases.map((n) =>
        n.version !== '1.0.0'
          ? n
          : {
              ...n,
              upgradeSections: [
                {
                  from: '0.18',
                  to: '1.0',
                  line: 5,
                  steps: [{ text: 'x', line: 6, commands: ['echo ```; echo `id`'] }],
                },
              ],
            },
      ),
    });
    const blocks = codeBlocks(fromMarkdown(describePath(tricky, { format: 'markdown' })));
    expect(blocks.map((b) => b.value)).toEqual(['echo ```; echo `id`']);
  });

  it('titles hops as headings and flags the one-way hop', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('#### '));
    expect(headings).toEqual([
      '#### Hop 1 of 3: 0.14.1 → 0.17.0 ⚠️ one-way',
      '#### Hop 2 of 3: 0.17.0 → 0.18.1',
      '#### Hop 3 of 3: 0.18.1 → 1.0.0',
    ]);
  });
});
