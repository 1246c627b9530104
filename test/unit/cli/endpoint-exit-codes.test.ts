import { describe, expect, it } from 'vitest';
import { EXIT, reportError } from '../../../src/cli/cli-output';
import { UpgradeError } from '../../../src/errors';

describe('exit codes of the remote-engine errors', () => {
  const run = (code: 'DOCKER_ENDPOINT' | 'REMOTE_UNSUPPORTED' | 'DOCKER_UNAVAILABLE') => {
    const lines: string[] = [];
    const io = { out: () => undefined, err: (t: string) => lines.push(t), tty: false, env: {} };
    const exit = reportError(io, new UpgradeError(code, { message: `m ${code}`, hint: 'h' }), false);
    return { exit, text: lines.join('') };
  };

  it('a wrong engine setting is bad input (2); a mode refused remotely is a refusal (3); an engine down is a failure (1)', () => {
    expect(run('DOCKER_ENDPOINT')).toEqual({
      exit: EXIT.usage,
      text: 'engram-upgrade: m DOCKER_ENDPOINT. h.\n',
    });
    expect(run('REMOTE_UNSUPPORTED').exit).toBe(EXIT.refused);
    expect(run('DOCKER_UNAVAILABLE').exit).toBe(EXIT.failed);
  });
});
