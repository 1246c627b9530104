import { spawnSync } from 'node:child_process';
import { builtCli, ROOT } from './built-cli';

export { ROOT } from './built-cli';

/**
 * Runs the built command line (`dist/cli/main.js` as the package ships it, built once per run by the
 * integration setup) as a person would, without a terminal (so nothing can be asked).
 */
export function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [builtCli(), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
