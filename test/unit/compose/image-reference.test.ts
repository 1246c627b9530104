import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  digestOf,
  formatImageReference,
  ImageReferenceSchema,
  isImageReference,
  parseImageReference,
  repositoryOf,
  tagOf,
  withDigest,
  withTag,
} from '../../../src/compose/image-reference';
import { InvalidInputError } from '../../../src/errors/upgrade-error';
import { DIGEST } from './fixtures';

const seed = Number(process.env.FC_SEED ?? 424242);
console.log(`image-reference properties: fast-check seed ${seed} (set FC_SEED to replay another)`);

const ENGRAM = 'ghcr.io/engram-app/engram';

function refusal(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected a refusal');
}

describe('parseImageReference', () => {
  it.each([
    ['postgres', { registry: undefined, path: 'postgres', tag: undefined, digest: undefined }],
    ['postgres:18.4', { registry: undefined, path: 'postgres', tag: '18.4', digest: undefined }],
    [
      'qdrant/qdrant:v1.17.1',
      { registry: undefined, path: 'qdrant/qdrant', tag: 'v1.17.1', digest: undefined },
    ],
    [
      `${ENGRAM}:0.18.1`,
      { registry: 'ghcr.io', path: 'engram-app/engram', tag: '0.18.1', digest: undefined },
    ],
    [
      `${ENGRAM}@${DIGEST}`,
      { registry: 'ghcr.io', path: 'engram-app/engram', tag: undefined, digest: DIGEST },
    ],
    [
      `${ENGRAM}:0.18.1@${DIGEST}`,
      { registry: 'ghcr.io', path: 'engram-app/engram', tag: '0.18.1', digest: DIGEST },
    ],
    [
      'localhost:5000/engram:ee487ad',
      { registry: 'localhost:5000', path: 'engram', tag: 'ee487ad', digest: undefined },
    ],
    [
      '127.0.0.1:5000/a/b_c__d-e.f:x',
      { registry: '127.0.0.1:5000', path: 'a/b_c__d-e.f', tag: 'x', digest: undefined },
    ],
    ['[::1]:5000/engram:1', { registry: '[::1]:5000', path: 'engram', tag: '1', digest: undefined }],
    [
      'Registry.Example.com/app:Tag_1',
      { registry: 'Registry.Example.com', path: 'app', tag: 'Tag_1', digest: undefined },
    ],
  ])('%s', (text, parsed) => {
    expect(parseImageReference(text)).toEqual(parsed);
    expect(formatImageReference(parseImageReference(text))).toBe(text);
    expect(isImageReference(text)).toBe(true);
  });

  it.each([
    [`${ENGRAM}:1.0;touch /tmp/pwned`, /contains ";"/],
    ['$(id)', /contains "\$"/],
    [`${ENGRAM}:$(id)`, /contains "\$"/],
    ['`id`', /contains "`"/],
    ['--help', /starts with "-"/],
    ['-engram', /starts with "-"/],
    [`${ENGRAM}:${'a'.repeat(129)}`, /the tag is 129 characters long; the limit is 128/],
    [`${ENGRAM}:0.18.1\nrm -rf /`, /whitespace or a line break/],
    [`${ENGRAM}:0.18.1 `, /whitespace or a line break/],
    ['ghcr.io/Engram-App/engram:1', /must be lower case/],
    ['Engram:1', /must be lower case/],
    [`${ENGRAM}@sha256:abc`, /digest "sha256:abc" is not sha256: followed by 64/],
    [`${ENGRAM}@${DIGEST.toUpperCase().replace('SHA256', 'sha256')}`, /64 lower-case hex/],
    [`${ENGRAM}@md5:${'0'.repeat(32)}`, /is not sha256/],
    [`${ENGRAM}@${DIGEST}@${DIGEST}`, /more than one "@"/],
    [`${ENGRAM}:.hidden`, /must be letters, digits/],
    ['ghcr.io//engram', /empty component/],
    ['engram/', /empty component/],
    ['a..b', /component "a..b"/],
    ['', /empty/],
    ["engram:1'", /contains "'"/],
    ['engram|cat', /contains "\|"/],
    ['engram>x', /contains ">"/],
    [`${'a'.repeat(256)}:1`, /longer than 255/],
  ])('refuses %j', (text, reason) => {
    const error = refusal(() => parseImageReference(text));
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('Nothing was changed');
    expect(error.hint).toMatch(/\[registry\/\]repository\[:tag\]/);
    expect(isImageReference(text)).toBe(false);
  });

  it('accepts a tag of exactly 128 characters', () => {
    expect(tagOf(`${ENGRAM}:${'a'.repeat(128)}`)).toHaveLength(128);
  });

  it('is a zod schema for plans', () => {
    expect(ImageReferenceSchema.safeParse(`${ENGRAM}:0.18.1`).success).toBe(true);
    const bad = ImageReferenceSchema.safeParse('1.0;touch /tmp/pwned');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/not a valid image reference: it contains ";"/);
    expect(ImageReferenceSchema.safeParse(42).success).toBe(false);
  });
});

describe('reference helpers', () => {
  const pinned = `${ENGRAM}:0.17.0@${DIGEST}`;

  it('reads the parts', () => {
    expect(repositoryOf(pinned)).toBe(ENGRAM);
    expect(repositoryOf('postgres:18.4')).toBe('postgres');
    expect(tagOf(pinned)).toBe('0.17.0');
    expect(tagOf(ENGRAM)).toBeUndefined();
    expect(digestOf(pinned)).toBe(DIGEST);
    expect(digestOf(`${ENGRAM}:1`)).toBeUndefined();
  });

  it('withTag changes the tag and drops a digest that pinned the old content', () => {
    expect(withTag(`${ENGRAM}:0.17.0`, '0.18.1')).toBe(`${ENGRAM}:0.18.1`);
    expect(withTag(pinned, '0.18.1')).toBe(`${ENGRAM}:0.18.1`);
    expect(withTag('localhost:5000/engram', 'ee487ad')).toBe('localhost:5000/engram:ee487ad');
  });

  it('withDigest keeps the tag for readers and pins the content', () => {
    expect(withDigest(`${ENGRAM}:0.18.1`, DIGEST)).toBe(`${ENGRAM}:0.18.1@${DIGEST}`);
    const other = `sha256:${'f'.repeat(64)}`;
    expect(withDigest(pinned, other)).toBe(`${ENGRAM}:0.17.0@${other}`);
  });

  it.each([
    ['1.0;touch /tmp/pwned', /not a valid image tag.*contains ";"/],
    ['$(id)', /not a valid image tag/],
    ['--help', /not a valid image tag/],
    ['a'.repeat(129), /129 characters long/],
    ['1.0\n', /whitespace or a line break/],
    ['', /not a valid image tag/],
  ])('withTag refuses the tag %j', (tag, reason) => {
    expect(refusal(() => withTag(`${ENGRAM}:0.17.0`, tag)).message).toMatch(reason);
  });

  it('withDigest refuses anything but sha256:<64 hex>', () => {
    expect(refusal(() => withDigest(ENGRAM, 'sha256:xyz')).message).toMatch(/not a valid image digest/);
    expect(refusal(() => withDigest(ENGRAM, `${DIGEST};id`)).message).toMatch(/not a valid image digest/);
  });

  it('helpers refuse an invalid reference rather than guess', () => {
    expect(() => repositoryOf('$(id)')).toThrow(InvalidInputError);
    expect(() => withTag('--help', '1')).toThrow(InvalidInputError);
  });
});

describe('image-reference properties', () => {
  const component = fc
    .stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/)
    .filter((c) => c.length <= 30);
  const reference = fc
    .record({
      registry: fc.option(
        fc.constantFrom('ghcr.io', 'localhost:5000', 'registry.example.com:443', '[::1]:5000'),
        {
          nil: undefined,
        },
      ),
      path: fc.array(component, { minLength: 1, maxLength: 3 }).map((c) => c.join('/')),
      tag: fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/), { nil: undefined }),
      digest: fc.option(
        fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`),
        { nil: undefined },
      ),
    })
    // Without a registry, a first component that looks like a host ("a.b/…", "localhost/…") is one.
    .filter((r) => r.registry !== undefined || !/^(?:[^/]*[.:][^/]*|localhost)\//.test(r.path));

  it('format and parse are inverses, and the helpers agree with the parts', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        const text = formatImageReference(ref);
        expect(parseImageReference(text)).toEqual(ref);
        expect(tagOf(text)).toBe(ref.tag);
        expect(digestOf(text)).toBe(ref.digest);
        expect(repositoryOf(text)).toBe(ref.registry ? `${ref.registry}/${ref.path}` : ref.path);
      }),
      { seed },
    );
  });

  it('a reference with any shell or whitespace character inserted is refused', () => {
    const hostile = fc.constantFrom(
      ';',
      '$',
      '(',
      ')',
      '`',
      '|',
      '&',
      '<',
      '>',
      ' ',
      '\n',
      '\t',
      "'",
      '"',
      '\\',
      '*',
    );
    fc.assert(
      fc.property(reference, hostile, fc.nat(), (ref, ch, at) => {
        const text = formatImageReference(ref);
        const i = at % (text.length + 1);
        expect(isImageReference(text.slice(0, i) + ch + text.slice(i))).toBe(false);
      }),
      { seed },
    );
  });
});
