import { expect } from 'vitest';
import type { EngramStack } from '../../../src/testing';

/** The copies of a dump restores left in the stack's Postgres container (`/tmp/engram-upgrade-*`). */
export async function dumpCopies(stack: EngramStack): Promise<string[]> {
  const r = await stack.exec('postgres', ['find', '/tmp', '-maxdepth', '1', '-name', 'engram-upgrade-*']);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}
