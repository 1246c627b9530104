import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../src/compose/env-file';
import type { LocatedImage } from '../../../src/compose/image-location';
import { type ComposeFile, locateImageInFiles } from '../../../src/compose/locate-image';
import { FileEditSchema, type PinImageInput, pinImage } from '../../../src/compose/pin-image';
import { InvalidInputError, UpgradeError } from '../../../src/errors/upgrade-error';
import { changedLines, DIGEST, ENV_FILE, PUBLISHED_COMPOSE, VARIABLE_COMPOSE } from './fixtures';

const ENGRAM = 'ghcr.io/engram-app/engram';
const PINNED = `${ENGRAM}:0.18.1@${DIGEST}`;

/** Locates the image the way a planner would, then pins it. */
function pin(
  files: ComposeFile[],
  newReference: string,
  rest: Partial<Omit<PinImageInput, 'files' | 'newReference' | 'location'>> = {},
) {
  const envText = rest.envText === undefined ? null : rest.envText;
  const env = new Map(envText === null ? [] : parseEnvFile(envText).entries);
  for (const [k, v] of Object.entries(rest.environment ?? {})) env.set(k, v);
  const location = locateImageInFiles(files, rest.service ?? 'engram', env);
  return pinImage({ files, envText, service: 'engram', location, newReference, ...rest });
}

function thrown(run: () => unknown): UpgradeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UpgradeError);
    return error as UpgradeError;
  }
  throw new Error('expected an error');
}

const compose = (text: string, path = 'docker-compose.yml'): ComposeFile => ({ path, text });

describe('pinImage: image written in the compose file', () => {
  it('changes only the image line, keeping its comment and every other byte', () => {
    const { edits } = pin([compose(PUBLISHED_COMPOSE)], PINNED);
    expect(edits).toHaveLength(1);
    const [edit] = edits;
    expect(edit!.path).toBe('docker-compose.yml');
    expect(edit!.before).toBe(PUBLISHED_COMPOSE);
    expect(changedLines(edit!.before, edit!.after)).toEqual([
      [
        4,
        `    image: ${ENGRAM}:0.17.0   # published image, pinned by hand`,
        `    image: ${PINNED}   # published image, pinned by hand`,
      ],
    ]);
    expect(FileEditSchema.parse(JSON.parse(JSON.stringify(edit)))).toEqual(edit);
  });

  it('keeps the scalar style: single quotes, double quotes, plain', () => {
    for (const [written, expected] of [
      [`'${ENGRAM}:0.17.0'`, `'${PINNED}'`],
      [`"${ENGRAM}:0.17.0"`, `"${PINNED}"`],
      [`${ENGRAM}:0.17.0`, PINNED],
    ]) {
      const text = `services:\n  engram:\n    image: ${written} # app\n`;
      const [edit] = pin([compose(text)], PINNED).edits;
      expect(edit!.after).toBe(`services:\n  engram:\n    image: ${expected} # app\n`);
    }
  });

  it('keeps CRLF line ends and a flow-style service', () => {
    const text = `services:\r\n  engram: { image: ${ENGRAM}:0.17.0, restart: unless-stopped }\r\n`;
    const [edit] = pin([compose(text)], `${ENGRAM}:0.18.1`).edits;
    expect(edit!.after).toBe(
      `services:\r\n  engram: { image: ${ENGRAM}:0.18.1, restart: unless-stopped }\r\n`,
    );
  });

  it('moves a digest-pinned image to a new tag and digest', () => {
    const text = `services:\n  engram:\n    image: ${ENGRAM}:0.17.0@sha256:${'a'.repeat(64)}\n`;
    const [edit] = pin([compose(text)], PINNED).edits;
    expect(edit!.after).toBe(`services:\n  engram:\n    image: ${PINNED}\n`);
  });

  it('edits the override file that holds the image in effect, not the base', () => {
    const base = compose(PUBLISHED_COMPOSE);
    const override = compose(
      `services:\n  engram:\n    image: ${ENGRAM}:0.17.1 # hotfix\n`,
      'docker-compose.prod.yml',
    );
    const { edits } = pin([base, override], PINNED);
    expect(edits.map((e) => e.path)).toEqual(['docker-compose.prod.yml']);
    expect(edits[0]!.after).toBe(`services:\n  engram:\n    image: ${PINNED} # hotfix\n`);
  });

  it('returns no edit when the image already is the new reference', () => {
    expect(pin([compose(PUBLISHED_COMPOSE)], `${ENGRAM}:0.17.0`).edits).toEqual([]);
  });

  it('refuses to change an anchor that other services share', () => {
    const text = `x-app: &app\n  image: ${ENGRAM}:0.17.0\nservices:\n  engram:\n    <<: *app\n  worker:\n    <<: *app\n`;
    const error = thrown(() => pin([compose(text)], PINNED));
    expect(error.code).toBe('COMPOSE_EDIT');
    expect(error.summary).toMatch(/YAML anchor that other keys share \(reached through a << merge\)/);
    expect(error.unchanged).toBe('No file was changed');
    const aliased = `services:\n  engram:\n    image: &img ${ENGRAM}:0.17.0\n  worker:\n    image: *img\n`;
    expect(thrown(() => pin([compose(aliased)], PINNED)).summary).toMatch(/&img/);
  });

  it('edits an anchored image that nothing else refers to', () => {
    const text = `services:\n  engram:\n    image: &img ${ENGRAM}:0.17.0\n`;
    expect(pin([compose(text)], PINNED).edits[0]!.after).toBe(
      `services:\n  engram:\n    image: &img ${PINNED}\n`,
    );
  });

  it('refuses a block scalar rather than rewrite its layout', () => {
    const text = `services:\n  engram:\n    image: >-\n      ${ENGRAM}:0.17.0\n`;
    expect(thrown(() => pin([compose(text)], PINNED)).summary).toMatch(/block scalar/);
  });
});

describe('pinImage: image set through a variable', () => {
  it('rewrites the variable in .env, not the compose file', () => {
    const { edits } = pin([compose(VARIABLE_COMPOSE)], PINNED, { envText: ENV_FILE });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.path).toBe('.env');
    expect(changedLines(ENV_FILE, edits[0]!.after)).toEqual([
      [18, 'ENGRAM_TAG=0.17.0', `ENGRAM_TAG=0.18.1@${DIGEST}`],
    ]);
  });

  it('adds the variable to .env when the default was in use, creating the file if there is none', () => {
    const withoutTag = ENV_FILE.replace('ENGRAM_TAG=0.17.0\n', '');
    const added = pin([compose(VARIABLE_COMPOSE)], PINNED, {
      envText: withoutTag,
      envPath: '/srv/engram/.env',
    });
    expect(added.edits[0]).toEqual({
      path: '/srv/engram/.env',
      before: withoutTag,
      after: `${withoutTag}ENGRAM_TAG=0.18.1@${DIGEST}\n`,
    });
    const created = pin([compose(VARIABLE_COMPOSE)], `${ENGRAM}:0.18.1`, { envText: null, envPath: null });
    expect(created.edits[0]).toEqual({ path: '.env', before: '', after: 'ENGRAM_TAG=0.18.1\n' });
  });

  it('sets a variable that holds the whole reference', () => {
    const text = 'services:\n  engram:\n    image: ${ENGRAM_IMAGE}\n';
    const envText = `# image\nENGRAM_IMAGE="${ENGRAM}:0.17.0"\n`;
    const [edit] = pin([compose(text)], PINNED, { envText }).edits;
    expect(edit!.after).toBe(`# image\nENGRAM_IMAGE="${PINNED}"\n`);
  });

  it('refuses a reference the variable cannot express', () => {
    const error = thrown(() =>
      pin([compose(VARIABLE_COMPOSE)], 'registry.example.com/engram:0.18.1', { envText: ENV_FILE }),
    );
    expect(error.code).toBe('COMPOSE_EDIT');
    expect(error.summary).toMatch(/can only change through ENGRAM_TAG/);
    expect(error.summary).toContain(`does not have the form ${ENGRAM}:<ENGRAM_TAG>`);
  });

  it('refuses when the shell sets the variable, since compose prefers it to .env', () => {
    const error = thrown(() =>
      pin([compose(VARIABLE_COMPOSE)], PINNED, { envText: ENV_FILE, environment: { ENGRAM_TAG: '0.17.0' } }),
    );
    expect(error.code).toBe('COMPOSE_EDIT');
    expect(error.summary).toMatch(/ENGRAM_TAG is set in the environment docker compose runs in/);
  });

  it('refuses ${VAR:+alternative}, whose value is not the variable', () => {
    const text = `services:\n  engram:\n    image: "${ENGRAM}:\${PIN:+0.17.0}"\n`;
    expect(thrown(() => pin([compose(text)], PINNED, { envText: 'PIN=1\n' })).summary).toMatch(
      /whose value is not the variable's own/,
    );
  });

  it('checks the result by reading it back, and refuses an edit that does not give the new reference', () => {
    // The variable appears twice: setting it for the tag also changes the part before it.
    const text = `services:\n  engram:\n    image: "ghcr.io/engram-app/engram-\${T}:\${T}"\n`;
    const error = thrown(() => pin([compose(text)], 'ghcr.io/engram-app/engram-1:2', { envText: 'T=1\n' }));
    expect(error.code).toBe('COMPOSE_EDIT');
    expect(error.summary).toMatch(/reads back as "ghcr.io\/engram-app\/engram-2:2" instead of/);
  });
});

describe('pinImage: inputs', () => {
  it('refuses a hostile new reference before anything else', () => {
    for (const bad of [
      `${ENGRAM}:1.0;touch /tmp/pwned`,
      '$(id)',
      '--help',
      `${ENGRAM}:${'a'.repeat(129)}`,
      'a:1\nb',
    ]) {
      expect(() => pin([compose(PUBLISHED_COMPOSE)], bad)).toThrow(InvalidInputError);
    }
  });

  it('refuses a location that no longer matches the files (a stale plan)', () => {
    const location: LocatedImage = {
      kind: 'literal',
      reference: `${ENGRAM}:0.16.0`,
      path: 'docker-compose.yml',
    };
    const error = thrown(() =>
      pinImage({
        files: [compose(PUBLISHED_COMPOSE)],
        envText: null,
        service: 'engram',
        location,
        newReference: PINNED,
      }),
    );
    expect(error.code).toBe('PLAN_STALE');
    expect(error.summary).toMatch(/is now "ghcr.io\/engram-app\/engram:0.17.0"/);
  });
});
