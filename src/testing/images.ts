import { hostname } from 'node:os';

/**
 * Image names used by the test bed and the harness, pinned in one place. The registry defaults to the
 * test bed's loopback registry; set ENGRAM_UPGRADE_REGISTRY to use another (e.g. `ghcr.io` with
 * ENGRAM_UPGRADE_POSTGRES_IMAGE=postgres:18.4 on a machine that can pull official images).
 */
export function testbedRegistry(): string {
  return process.env.ENGRAM_UPGRADE_REGISTRY ?? '127.0.0.1:5000';
}

/** Repository of the Engram release image, shaped like the real `ghcr.io/engram-app/engram`. */
export function engramRepository(): string {
  return `${testbedRegistry()}/engram-app/engram`;
}

export function engramImage(version: string): string {
  return `${engramRepository()}:${version}`;
}

/** The Postgres majors the test bed builds; 18 is the one Engram's own compose file runs. */
export type TestbedPostgresMajor = 15 | 17 | 18;

/** The test bed's own Postgres image of a major (what `testbed/build-images.ts` pushes). */
export function testbedPostgresImage(major: TestbedPostgresMajor): string {
  return `${testbedRegistry()}/library/postgres:${major}`;
}

/** The major the harness runs when nothing else is asked for, as Engram's compose file does. */
export const DEFAULT_POSTGRES_MAJOR: TestbedPostgresMajor = 18;

/**
 * The Postgres image the harness runs: Postgres 18 by default (ENGRAM_UPGRADE_POSTGRES_IMAGE, e.g.
 * `postgres:18.4`, overrides it). 15 and 17 stay for version-mismatch faults: a server older or newer
 * than a host client (ENGRAM_UPGRADE_POSTGRES15_IMAGE / ENGRAM_UPGRADE_POSTGRES17_IMAGE override them).
 */
export function postgresImage(major: TestbedPostgresMajor = DEFAULT_POSTGRES_MAJOR): string {
  const own = testbedPostgresImage(major);
  if (major === DEFAULT_POSTGRES_MAJOR) return process.env.ENGRAM_UPGRADE_POSTGRES_IMAGE ?? own;
  return process.env[`ENGRAM_UPGRADE_POSTGRES${major}_IMAGE`] ?? own;
}

/** Label put on everything the harness and test bed create, so a sweep can find leftovers. */
export const TESTBED_LABEL = 'engram-upgrade.testbed';

/** Label naming the process that created a test resource (`<hostname>:<pid>`), so a sweep removes only
 * what dead processes left behind and never a concurrent run's stacks. */
export const OWNER_LABEL = 'engram-upgrade.testbed.owner';

export function ownerLabel(): string {
  return `${hostname()}:${process.pid}`;
}
