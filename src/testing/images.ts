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

/**
 * The Postgres image the harness runs: Postgres 15 on the test bed by default; `17` names the newer
 * server used to face an older host client.
 */
export function postgresImage(major?: 17): string {
  if (major === 17)
    return process.env.ENGRAM_UPGRADE_POSTGRES17_IMAGE ?? `${testbedRegistry()}/library/postgres:17`;
  return process.env.ENGRAM_UPGRADE_POSTGRES_IMAGE ?? `${testbedRegistry()}/library/postgres:15`;
}

/** Label put on everything the harness and test bed create, so a sweep can find leftovers. */
export const TESTBED_LABEL = 'engram-upgrade.testbed';

/** Label naming the process that created a test resource (`<hostname>:<pid>`), so a sweep removes only
 * what dead processes left behind and never a concurrent run's stacks. */
export const OWNER_LABEL = 'engram-upgrade.testbed.owner';

export function ownerLabel(): string {
  return `${hostname()}:${process.pid}`;
}
