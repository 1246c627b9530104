import { describe, expect, it } from 'vitest';
import { parseReleaseNotes } from '../../../src/notes/parse-release-notes';

// Authors put constraints in every markdown shape; each must be read from the node's own text with the
// line it starts on.
const parse = (md: string) => parseReleaseNotes(md, { version: '2.0.0' });

describe('markdown shapes', () => {
  it('a GitHub alert blockquote', () => {
    const notes = parse('Intro.\n\n> [!WARNING]\n> Upgrade to 1.4.0 first.\n');
    expect(notes.minimumFrom).toMatchObject({ version: '1.4.0', exact: true, line: 4 });
  });

  it('an HTML block', () => {
    const notes = parse(
      '<details>\n<summary>Operators</summary>\n\nThis migration is irreversible.\n\n</details>\n',
    );
    expect(notes.oneWay).toEqual({ text: 'This migration is irreversible.', line: 4 });
  });

  it('a nested list item reports its own line', () => {
    const notes = parse('### Bug Fixes\n\n* config\n  * `OLD_FLAG` is renamed to `NEW_FLAG`\n');
    expect(notes.envRenames).toEqual([{ from: 'OLD_FLAG', to: 'NEW_FLAG', line: 4 }]);
    expect(notes.sections[0]?.items).toEqual([{ text: 'config OLD_FLAG is renamed to NEW_FLAG', line: 3 }]);
  });

  it('a sentence wrapped over lines starts where it starts', () => {
    const notes = parse('Some intro text here.\nThe server refuses to boot\nwithout `ENGRAM_KEY`.\n');
    expect(notes.requiredEnv).toEqual([{ name: 'ENGRAM_KEY', line: 2 }]);
  });

  it('a setext heading opens an upgrade guide', () => {
    const notes = parse('Upgrade from 1.9 to 2.0\n-----------------------\n\n1. Stop.\n2. Pull.\n');
    expect(notes.upgradeSections).toEqual([
      {
        from: '1.9',
        to: '2.0',
        line: 1,
        steps: [
          { text: 'Stop.', line: 4, commands: [] },
          { text: 'Pull.', line: 5, commands: [] },
        ],
      },
    ]);
  });

  it('a BREAKING-prefixed bullet outside a breaking section is a breaking change', () => {
    const notes = parse('### Features\n\n* BREAKING: the `/api/v0` endpoints are removed\n');
    expect(notes.breaking).toEqual([
      { kind: 'removed', text: 'BREAKING: the /api/v0 endpoints are removed', line: 3 },
    ]);
  });

  it('commands: prompts stripped, comments and blank lines left out', () => {
    const md =
      '## Upgrade from 1.9 to 2.0\n\n1. Run:\n\n   ```console\n   $ docker compose pull\n\n   # then\n   $ docker compose up -d\n   ```\n';
    expect(parse(md).upgradeSections[0]?.steps[0]?.commands).toEqual([
      'docker compose pull',
      'docker compose up -d',
    ]);
  });

  it('the Full Changelog trailer is not a constraint', () => {
    const notes = parse(
      '---\n\n**Full Changelog:** https://x.test/compare/release-v1.9.0...release-v2.0.0\n',
    );
    expect(notes.needsReview).toEqual([]);
  });
});

describe('variable names', () => {
  it('a one-word variable in code is not confused with the same word in prose', () => {
    const notes = parse('`PORT` must be set; the port no longer defaults to 4000.');
    expect(notes.requiredEnv.map((r) => r.name)).toEqual(['PORT']);
  });

  it('an HTML block keeps the line of each of its lines', () => {
    const notes = parse('<div>\nIntro text.\nThis migration is one-way.\n</div>\n');
    expect(notes.oneWay).toEqual({ text: 'This migration is one-way.', line: 3 });
  });
});
