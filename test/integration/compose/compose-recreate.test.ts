import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { SecretSet } from '../../../src/secrets';
import { postgresImage } from '../../../src/testing/images';
import { recreateApp } from '../../../src/upgrade/recreate-app';
import { LAB_LABELS, LabProject } from './lab-project';

const docker = new Docker();

/** `app` depends on `sidecar` being started; `release` is what the test changes to make compose recreate `app`. */
function composeFile(release: string): string {
  const labels = Object.entries(LAB_LABELS)
    .map(([k, v]) => `      ${k}: "${v}"`)
    .join('\n');
  return `services:
  app:
    image: ${postgresImage(15)}
    command: ["sleep", "infinity"]
    environment: {RELEASE: "${release}"}
    depends_on: {sidecar: {condition: service_started}}
    stop_grace_period: 1s
    labels:
${labels}
  sidecar:
    image: ${postgresImage(15)}
    command: ["sleep", "infinity"]
    stop_grace_period: 1s
    labels:
${labels}
networks:
  default: {labels: ${JSON.stringify(LAB_LABELS)}}
`;
}

async function recreate(project: LabProject): Promise<string[]> {
  const log: string[] = [];
  await recreateApp(project.deployment('app'), {
    driver: 'compose',
    files: project.files,
    service: 'app',
    secrets: new SecretSet(),
    log: (m) => log.push(m),
  });
  return log;
}

describe('the compose recreate driver', () => {
  it('starts the new container itself when depends_on is met, and leaves a stopped dependency to plain `up -d`', async () => {
    await using project = new LabProject({ 'compose.yaml': composeFile('one') });
    await project.compose(['up', '-d']);
    const first = await project.inspect('app');

    // Met: the library checks depends_on, compose only creates (`--no-start`), the library starts it.
    project.write({ 'compose.yaml': composeFile('two') });
    const metLog = await recreate(project);
    expect(metLog.filter((l) => l.includes('waits for'))).toEqual([]);
    const second = await project.inspect('app');
    expect(second.Id).not.toBe(first.Id);
    expect(second.State.Running).toBe(true);
    expect(second.Config.Env).toContain('RELEASE=two');

    // Not met: the sidecar is stopped, so the plain `up -d` runs, which starts the sidecar first.
    await docker.getContainer(`${project.name}-sidecar-1`).stop({ t: 1 });
    project.write({ 'compose.yaml': composeFile('three') });
    const unmetLog = await recreate(project);
    expect(unmetLog.join('\n')).toMatch(
      /docker compose up -d waits for sidecar \(\/?lab\w+-sidecar-1\) is not running/,
    );
    const third = await project.inspect('app');
    expect(third.Id).not.toBe(second.Id);
    expect(third.State.Running).toBe(true);
    expect(third.Config.Env).toContain('RELEASE=three');
    expect((await project.inspect('sidecar')).State.Running).toBe(true);
  });
});
