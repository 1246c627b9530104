import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UpgradeError } from '../src/errors';

/**
 * The directory holding bootstrap.sh and images/, or undefined. From the sources that is this file's
 * own directory; in the published package the code is bundled into dist/ and the directory ships beside
 * it as `testbed/`, so the search walks up from the calling module until it finds one or the other.
 */
export function findTestbedDir(moduleUrl: string): string | undefined {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let depth = 0; depth < 6; depth++) {
    for (const candidate of [dir, join(dir, 'testbed')]) {
      if (existsSync(join(candidate, 'bootstrap.sh')) && existsSync(join(candidate, 'images')))
        return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** `findTestbedDir`, or a `TESTBED` error saying the package is incomplete. */
export function testbedDir(moduleUrl: string): string {
  const found = findTestbedDir(moduleUrl);
  if (found) return found;
  throw new UpgradeError('TESTBED', {
    message: `The test bed's files (testbed/bootstrap.sh, testbed/images/) are not beside ${fileURLToPath(moduleUrl)} or above it`,
    unchanged: 'Nothing was built',
    hint: 'Reinstall engram-upgrade; its package ships them',
  });
}
