import { describe, expect, it } from 'vitest';
import { HealthProbe } from '../../../src/upgrade/health-probe';
import { composeContainer, FakeDocker } from '../fakes/fake-docker';

const BODY = '{"status":"ok","version":"0.15.0"}';

describe('HealthProbe', () => {
  it('asks through one shell loop: each line sent is answered with the reply, curl exit code and marker', async () => {
    const app = composeContainer('engram', 'engram', { env: ['PORT=4100'] });
    const docker = new FakeDocker([app], async (e) => {
      expect(e.cmd.slice(0, 2)).toEqual(['sh', '-c']);
      // The curl options are arguments of the loop, not text the shell parses.
      expect(e.cmd.slice(3)).toEqual(['sh', '-s', '-m', '3', '-w', '\n%{http_code}']);
      for await (const line of e.stdinLines()) {
        const [marker, path] = line.split(' ');
        if (path === '/api/health') await e.write(`${BODY}\n200\n0\n${marker}\n`);
        else await e.write(`\n000\n7\n${marker}\n`);
      }
      return { exitCode: 0 };
    });
    await using probe = new HealthProbe(docker, app);
    expect(await probe.read()).toEqual({ status: 200, body: JSON.parse(BODY) });
    expect(await probe.read('/api/health/deep')).toEqual({ status: 0, body: null, error: 'curl exited 7' });
    expect(await probe.read()).toEqual({ status: 200, body: JSON.parse(BODY) });
    expect(docker.calls.filter((c) => c.method === 'exec')).toHaveLength(1);
  });

  it('falls back to one curl per reading when the image has no shell to run the loop', async () => {
    const app = composeContainer('engram', 'engram');
    const docker = new FakeDocker([app], (e) => {
      if (e.cmd[0] === 'sh')
        return { exitCode: 127, stderr: 'exec: "sh": executable file not found in $PATH' };
      expect(e.cmd.at(-1)).toBe('http://localhost:4000/api/health');
      return { exitCode: 0, stdout: `${BODY}\n200` };
    });
    await using probe = new HealthProbe(docker, app);
    expect(await probe.read()).toEqual({ status: 200, body: JSON.parse(BODY) });
    expect(await probe.read()).toEqual({ status: 200, body: JSON.parse(BODY) });
    const cmds = docker.calls
      .filter((c) => c.method === 'exec')
      .map((c) => (c.args[1] as { cmd: string[] }).cmd[0]);
    // The loop is tried once; after that each reading is its own curl.
    expect(cmds).toEqual(['sh', 'curl', 'curl']);
  });
});
