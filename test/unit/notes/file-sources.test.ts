import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChangelog } from '../../../src/notes/parse-changelog';
import { parseGitHubReleases } from '../../../src/notes/parse-github-releases';
import { readChangelog } from '../../../src/notes/sources/changelog-source';
import { readReleaseDirectory } from '../../../src/notes/sources/release-directory';
import { type FakeGitHub, startFakeGitHub } from './fake-github';
import { FIXTURES, fixture, githubReleases } from './fixtures';

let api: FakeGitHub;
let dir: string;
beforeAll(async () => {
  api = await startFakeGitHub();
  dir = await mkdtemp(join(tmpdir(), 'engram-notes-'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('expected a failure'),
    (e: unknown) => e,
  );

describe('readChangelog', () => {
  it('reads a CHANGELOG.md from a path', async () => {
    const notes = await readChangelog({ path: join(FIXTURES, 'CHANGELOG.md') });
    expect(notes).toEqual(parseChangelog(fixture('CHANGELOG.md')));
    expect(notes).toHaveLength(26);
  });

  it('reads a CHANGELOG.md from a URL', async () => {
    const notes = await readChangelog({ url: `${api.origin}/raw/CHANGELOG.md` });
    expect(notes.map((n) => n.version)).toEqual(
      parseChangelog(fixture('CHANGELOG.md')).map((n) => n.version),
    );
  });

  it('a missing file or URL is SOURCE_NOT_FOUND', async () => {
    expect(await rejection(readChangelog({ path: join(dir, 'nope.md') }))).toMatchObject({
      code: 'SOURCE_NOT_FOUND',
    });
    expect(await rejection(readChangelog({ url: `${api.origin}/raw/nope.md` }))).toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      status: 404,
    });
  });

  it('a binary file is NOTES_UNREADABLE, not a crash', async () => {
    const path = join(dir, 'CHANGELOG.bin');
    await writeFile(path, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x41]));
    expect(await rejection(readChangelog({ path }))).toMatchObject({ code: 'NOTES_UNREADABLE' });
  });
});

describe('readReleaseDirectory', () => {
  it('reads <tag>.md files, ignores the rest, and sorts newest first within each family', async () => {
    const releases = join(dir, 'releases');
    await mkdir(releases);
    for (const r of githubReleases()) await writeFile(join(releases, `${r.tag_name}.md`), r.body);
    await writeFile(join(releases, 'README.md'), 'Release notes mirror.');
    await writeFile(join(releases, 'v2.8.1.md'), 'From the old project.');
    await writeFile(join(releases, 'notes.txt'), 'not markdown by name');

    const notes = await readReleaseDirectory(releases);
    const fromApi = parseGitHubReleases(githubReleases(), { includeDrafts: true });
    expect(notes.map((n) => n.tag)).toEqual([...fromApi.map((n) => n.tag), 'v2.8.1']);
    const same = notes.find((n) => n.version === '0.16.0');
    expect(same?.envRenames).toEqual(fromApi.find((n) => n.version === '0.16.0')?.envRenames);

    const withRc = await readReleaseDirectory(releases, { includePrereleases: true });
    expect(withRc.map((n) => n.version)).toContain('1.2.0-rc.1');
  });

  it('names the file when one of them is binary', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'release-v9.9.9.md'), Buffer.from([0, 1, 2, 3]));
    const e = await rejection(readReleaseDirectory(bad));
    expect(e).toMatchObject({ code: 'NOTES_UNREADABLE' });
    expect((e as Error).message).toMatch(/release-v9\.9\.9\.md/);
  });

  it('a missing directory is SOURCE_NOT_FOUND', async () => {
    expect(await rejection(readReleaseDirectory(join(dir, 'absent')))).toMatchObject({
      code: 'SOURCE_NOT_FOUND',
    });
  });
});
