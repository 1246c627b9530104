import type { ReleaseNotes } from '../../../src/notes/release-notes';

/** A ReleaseNotes value with empty defaults; tests spell out only what the release's notes say. */
export function notes(version: string, over: Partial<ReleaseNotes> = {}): ReleaseNotes {
  const family = over.family ?? 'release-v';
  const prefix = family === 'bare' ? '' : family;
  return {
    version,
    tag: `${prefix}${version}`,
    family,
    prerelease: false,
    draft: false,
    sections: [],
    breaking: [],
    envRenames: [],
    requiredEnv: [],
    oneWay: null,
    schemaImpact: { present: false, irreversible: false, prs: [] },
    minimumFrom: null,
    upgradeSections: [],
    needsReview: [],
    ...over,
  };
}

/** The notes of a release that carries a SCHEMA-IMPACT block (line 1 of its body). */
export function schemaImpact(irreversible = false): ReleaseNotes['schemaImpact'] {
  return { present: true, line: 1, irreversible, prs: [] };
}

export const REGISTRATION_RENAME = { from: 'REGISTRATION_ENABLED', to: 'ENGRAM_DEFAULT_REGISTRATION_MODE' };

export const UPGRADE_0_18_TO_1_0 = {
  from: '0.18',
  to: '1.0',
  line: 5,
  steps: [
    { text: 'Upgrade to 0.18.1 first and let it boot once.', line: 7, commands: [] },
    {
      text: 'Add the instance name to .env.',
      line: 9,
      commands: ['echo "ENGRAM_INSTANCE_NAME=my-engram" >> .env'],
    },
    {
      text: 'Pull and start the new image; it migrates on boot.',
      line: 13,
      commands: ['docker compose pull engram\ndocker compose up -d engram'],
    },
  ],
};

/**
 * The project's test series (testbed/series.ts) as its release notes would read: 0.15.0 reversible,
 * 0.16.0 renames REGISTRATION_ENABLED, 0.17.0 one-way, 0.18.0 only from the 0.17 line, 1.0.0 with an
 * "Upgrade from 0.18 to 1.0" section and a new required variable.
 */
export function engramSeries(): ReleaseNotes[] {
  return [
    notes('0.14.0', { schemaImpact: schemaImpact() }),
    notes('0.14.1'),
    notes('0.15.0', { schemaImpact: { ...schemaImpact(), rollbackTo: '20260808100000' } }),
    notes('0.15.1'),
    notes('0.16.0', {
      schemaImpact: schemaImpact(),
      breaking: [
        {
          kind: 'env-rename',
          text: 'REGISTRATION_ENABLED is no longer read; set ENGRAM_DEFAULT_REGISTRATION_MODE',
          line: 14,
          ...REGISTRATION_RENAME,
        },
      ],
      envRenames: [{ ...REGISTRATION_RENAME, line: 14 }],
      requiredEnv: [{ name: 'ENGRAM_DEFAULT_REGISTRATION_MODE', line: 15 }],
    }),
    notes('0.17.0', {
      schemaImpact: schemaImpact(true),
      oneWay: { text: 'Dropping notes.legacy_body is irreversible: restore a backup to go back.', line: 9 },
      breaking: [{ kind: 'removed', text: 'notes.legacy_body is dropped', line: 16 }],
    }),
    notes('0.18.0', {
      schemaImpact: schemaImpact(),
      minimumFrom: {
        version: '0.17',
        exact: false,
        text: '0.18.0 can only be applied from the 0.17 line.',
        line: 12,
      },
      needsReview: [
        {
          text: 'Stop background sync before upgrading.',
          line: 20,
          reason: 'says "before" but names no version',
        },
      ],
    }),
    notes('0.18.1'),
    notes('1.0.0', {
      schemaImpact: schemaImpact(),
      minimumFrom: { version: '0.18', exact: false, text: 'Upgrade from 0.18 to 1.0', line: 5 },
      breaking: [{ kind: 'env-required', text: 'ENGRAM_INSTANCE_NAME is now required', line: 3 }],
      requiredEnv: [{ name: 'ENGRAM_INSTANCE_NAME', line: 3 }],
      // A copy: a test that changes the notes it was given must not change the next test's.
      upgradeSections: [structuredClone(UPGRADE_0_18_TO_1_0)],
    }),
    notes('1.0.1', { schemaImpact: schemaImpact() }),
    notes('1.1.0', { schemaImpact: schemaImpact() }),
  ];
}

/** The series with one release's notes replaced (or removed, with `null`). */
export function withRelease(
  series: ReleaseNotes[],
  version: string,
  change: ((n: ReleaseNotes) => ReleaseNotes) | null,
): ReleaseNotes[] {
  if (!series.some((n) => n.version === version)) throw new Error(`${version} is not in the fixture series`);
  return series.flatMap((n) => (n.version !== version ? [n] : change ? [change(n)] : []));
}
