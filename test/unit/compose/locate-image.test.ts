import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ImageLocation,
  ImageLocationSchema,
  type LocatedImage,
  LocatedImageSchema,
} from '../../../src/compose/image-location';
import { locateImage, locateImageInFiles } from '../../../src/compose/locate-image';
import { InvalidInputError, UpgradeError } from '../../../src/errors/upgrade-error';
import { DIGEST, PUBLISHED_COMPOSE, STOCK_COMPOSE, VARIABLE_COMPOSE } from './fixtures';

const ENGRAM = 'ghcr.io/engram-app/engram';
const app = (image: string, extra = '') =>
  `services:\n  engram:\n    image: ${image}\n${extra}  postgres:\n    image: postgres:18.4\n`;

function thrown(run: () => unknown): UpgradeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UpgradeError);
    return error as UpgradeError;
  }
  throw new Error('expected an error');
}

describe('locateImage', () => {
  it('explains that the stock compose file builds from source, and how to switch to the published image', () => {
    const error = thrown(() => locateImage(STOCK_COMPOSE, 'engram', {}));
    expect(error.code).toBe('COMPOSE_NO_IMAGE');
    expect(error.summary).toMatch(/builds its image from source \(build: \.\) and has no image:/);
    expect(error.summary).toMatch(/no published tag to pull or pin/);
    expect(error.unchanged).toBe('Nothing was changed');
    expect(error.hint).toContain('image: ghcr.io/engram-app/engram:<version>');
    expect(error.hint).toContain('replace "build: ."');
  });

  it('finds a literal image and keeps the rest of the file out of it', () => {
    expect(locateImage(PUBLISHED_COMPOSE, 'engram', {})).toEqual({
      kind: 'literal',
      reference: `${ENGRAM}:0.17.0`,
    });
    expect(locateImage(PUBLISHED_COMPOSE, 'postgres', {})).toEqual({
      kind: 'literal',
      reference: 'postgres:18.4',
    });
  });

  it('tells a digest-pinned image apart, with or without a tag', () => {
    expect(locateImage(app(`${ENGRAM}:0.17.0@${DIGEST}`), 'engram', {})).toEqual({
      kind: 'digest',
      reference: `${ENGRAM}:0.17.0@${DIGEST}`,
    });
    expect(locateImage(app(`'${ENGRAM}@${DIGEST}'`), 'engram', {})).toEqual({
      kind: 'digest',
      reference: `${ENGRAM}@${DIGEST}`,
    });
  });

  it('resolves an image set through a variable, from a Map or a record', () => {
    const expected: ImageLocation = {
      kind: 'variable',
      variable: 'ENGRAM_TAG',
      template: `${ENGRAM}:\${ENGRAM_TAG:-0.17.0}`,
      reference: `${ENGRAM}:0.18.0`,
      source: 'env',
    };
    expect(locateImage(VARIABLE_COMPOSE, 'engram', new Map([['ENGRAM_TAG', '0.18.0']]))).toEqual(expected);
    expect(locateImage(VARIABLE_COMPOSE, 'engram', { ENGRAM_TAG: '0.18.0' })).toEqual(expected);
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty, and says so', () => {
    for (const env of [{}, { ENGRAM_TAG: '' }] as Record<string, string>[]) {
      expect(locateImage(VARIABLE_COMPOSE, 'engram', env)).toMatchObject({
        kind: 'variable',
        reference: `${ENGRAM}:0.17.0`,
        source: 'default',
      });
    }
  });

  it.each([
    ['${ENGRAM_IMAGE}', { ENGRAM_IMAGE: `${ENGRAM}:0.18.1` }, 'ENGRAM_IMAGE', `${ENGRAM}:0.18.1`],
    [`${ENGRAM}:$ENGRAM_TAG`, { ENGRAM_TAG: '0.18.1' }, 'ENGRAM_TAG', `${ENGRAM}:0.18.1`],
    ['${REGISTRY:-ghcr.io}/engram-app/engram:${TAG}', { TAG: 'ee487ad' }, 'TAG', `${ENGRAM}:ee487ad`],
    [`\${ENGRAM_IMAGE:-${ENGRAM}:0.17.0}`, {}, 'ENGRAM_IMAGE', `${ENGRAM}:0.17.0`],
    [`${ENGRAM}:\${TAG}@${DIGEST}`, { TAG: '1' }, 'TAG', `${ENGRAM}:1@${DIGEST}`],
  ])('%s', (template, env, variable, reference) => {
    expect(locateImage(app(`"${template}"`), 'engram', env)).toMatchObject({
      kind: 'variable',
      variable,
      reference,
    });
  });

  it('refuses an image whose variable is not set and has no default, naming the variable', () => {
    const error = thrown(() => locateImage(app(`${ENGRAM}:\${ENGRAM_TAG}`), 'engram', {}));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.summary).toMatch(/ENGRAM_TAG is not set, so compose would use an empty value/);
    expect(error.hint).toMatch(/Set ENGRAM_TAG in \.env/);
  });

  it('passes on the message of ${VAR:?message}', () => {
    const error = thrown(() => locateImage(app(`"${ENGRAM}:\${ENGRAM_TAG:?pick a release}"`), 'engram', {}));
    expect(error.summary).toMatch(/Required variable ENGRAM_TAG is not set: pick a release/);
  });

  it.each([
    ['1.0;touch /tmp/pwned', /contains ";"/],
    ['$(id)', /contains "\$"/],
    ['1.0\nrm -rf /', /whitespace or a line break/],
    ['a'.repeat(129), /129 characters long/],
  ])('refuses a hostile value %j arriving through a variable', (tag, reason) => {
    const error = thrown(() => locateImage(app(`${ENGRAM}:\${ENGRAM_TAG}`), 'engram', { ENGRAM_TAG: tag }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.summary).toMatch(reason);
    expect(error.summary).toContain('The image of service "engram" in the compose file is');
  });

  it('refuses a hostile literal image', () => {
    expect(() => locateImage(app('"--help"'), 'engram', {})).toThrow(/starts with "-"/);
  });

  it('names the services that exist when the one asked for does not', () => {
    const error = thrown(() => locateImage(PUBLISHED_COMPOSE, 'app', {}));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.summary).toBe(
      'There is no service "app" in the compose file; the services are engram, postgres, qdrant, ollama, ollama-init, minio',
    );
    expect(thrown(() => locateImage('volumes: {}\n', 'engram', {})).summary).toMatch(
      /it defines no services/,
    );
  });

  it('refuses a service with both image: and build:, whose tag would not decide the code', () => {
    const error = thrown(() => locateImage(app(`${ENGRAM}:0.17.0`, '    build: .\n'), 'engram', {}));
    expect(error.code).toBe('COMPOSE_NO_IMAGE');
    expect(error.summary).toMatch(/has both image: and build:/);
    expect(error.hint).toMatch(/Remove build:/);
  });

  it('reads an image borrowed through a YAML anchor and merge key', () => {
    const text = `x-app: &app\n  image: ${ENGRAM}:0.17.0\n  restart: unless-stopped\nservices:\n  engram:\n    <<: *app\n    ports: ["4000:4000"]\n`;
    expect(locateImage(text, 'engram', {})).toEqual({ kind: 'literal', reference: `${ENGRAM}:0.17.0` });
  });

  it('says that extends: is not followed', () => {
    const text = 'services:\n  engram:\n    extends:\n      file: common.yml\n      service: app\n';
    expect(thrown(() => locateImage(text, 'engram', {})).summary).toMatch(/uses extends: .* does not follow/);
  });

  it.each([
    ['services:\n  engram:\n    image:\n', /is empty/],
    ['services:\n  engram:\n    image: [a, b]\n', /is not a string/],
    ['services:\n  engram: plain\n', /not a mapping/],
    ['services:\n  engram:\n    image: a\n   bad: indent\n', /not valid YAML/],
  ])('refuses a malformed service %#', (text, reason) => {
    const error = thrown(() => locateImage(text, 'engram', {}));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.summary).toMatch(reason);
  });

  it('returns plain data that its schema accepts and that survives JSON', () => {
    const location = locateImage(VARIABLE_COMPOSE, 'engram', {});
    expect(ImageLocationSchema.parse(JSON.parse(JSON.stringify(location)))).toEqual(location);
    expectTypeOf(locateImage).returns.toEqualTypeOf<ImageLocation>();
    expectTypeOf(locateImageInFiles).returns.toEqualTypeOf<LocatedImage>();
    expectTypeOf<Extract<ImageLocation, { kind: 'variable' }>>()
      .toHaveProperty('variable')
      .toEqualTypeOf<string>();
  });
});

describe('locateImageInFiles', () => {
  const base = { path: 'docker-compose.yml', text: PUBLISHED_COMPOSE };

  it('lets a later file override the image and names that file', () => {
    const override = {
      path: 'docker-compose.prod.yml',
      text: `services:\n  engram:\n    image: ${ENGRAM}:0.18.1\n`,
    };
    const located = locateImageInFiles([base, override], 'engram', {});
    expect(located).toEqual({
      kind: 'literal',
      reference: `${ENGRAM}:0.18.1`,
      path: 'docker-compose.prod.yml',
    });
    expect(LocatedImageSchema.parse(located)).toEqual(located);
  });

  it('keeps the earlier image when a later file changes other keys only', () => {
    const override = {
      path: 'override.yml',
      text: 'services:\n  engram:\n    ports: ["127.0.0.1:4000:4000"]\n',
    };
    expect(locateImageInFiles([base, override], 'engram', {})).toMatchObject({ path: 'docker-compose.yml' });
  });

  it('finds the image an override adds to the stock file, once it resets build:', () => {
    const stock = { path: 'docker-compose.yml', text: STOCK_COMPOSE };
    const override = {
      path: 'docker-compose.override.yml',
      text: `services:\n  engram:\n    build: !reset null\n    image: ${ENGRAM}:0.17.0\n`,
    };
    expect(locateImageInFiles([stock, override], 'engram', {})).toMatchObject({
      kind: 'literal',
      path: 'docker-compose.override.yml',
    });
    // Without the reset, compose still has the build: of the stock file.
    const noReset = { ...override, text: override.text.replace('    build: !reset null\n', '') };
    expect(thrown(() => locateImageInFiles([stock, noReset], 'engram', {})).summary).toMatch(
      /in docker-compose.override.yml and docker-compose.yml has both image: and build:/,
    );
  });

  it('treats image: !reset as removing the image', () => {
    const override = { path: 'o.yml', text: 'services:\n  engram:\n    image: !reset null\n' };
    expect(thrown(() => locateImageInFiles([base, override], 'engram', {})).code).toBe('COMPOSE_NO_IMAGE');
  });

  it('finds a service defined only in a later file, and lists services from all files when none has it', () => {
    const extra = { path: 'tools.yml', text: 'services:\n  backup:\n    image: alpine:3\n' };
    expect(locateImageInFiles([base, extra], 'backup', {})).toMatchObject({ path: 'tools.yml' });
    expect(thrown(() => locateImageInFiles([base, extra], 'nope', {})).summary).toMatch(
      /in docker-compose.yml, tools.yml; the services are engram, postgres, .*, backup$/,
    );
  });

  it('names the file that holds the variable form', () => {
    const override = { path: 'o.yml', text: VARIABLE_COMPOSE };
    expect(locateImageInFiles([base, override], 'engram', { ENGRAM_TAG: '0.18.1' })).toMatchObject({
      kind: 'variable',
      path: 'o.yml',
      reference: `${ENGRAM}:0.18.1`,
    });
  });

  it('refuses no files or no service name', () => {
    expect(() => locateImageInFiles([], 'engram', {})).toThrow(InvalidInputError);
    expect(() => locateImageInFiles([base], '', {})).toThrow(InvalidInputError);
  });
});
