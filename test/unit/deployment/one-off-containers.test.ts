import { describe, expect, it } from 'vitest';
import { oneOffLabels, removeExitedOneOffs } from '../../../src/deployment/one-off-containers';
import type { ContainerRecord, DockerPort } from '../../../src/docker/docker-port';

function record(name: string, running: boolean, labels: Record<string, string>): ContainerRecord {
  return { id: `id-${name}`, name, running, labels } as unknown as ContainerRecord;
}

describe('one-off containers', () => {
  it('are labelled with their purpose, in a compose project beside the deployment’s', () => {
    expect(oneOffLabels('notes', 'migrate')).toEqual({
      'engram-upgrade.oneoff': 'migrate',
      'com.docker.compose.project': 'notes-oneoff',
    });
  });

  it('a killed run left behind: the exited ones are removed, a running migrator is left to finish', async () => {
    const asked: Record<string, string>[] = [];
    const removed: string[] = [];
    const docker = {
      findContainers: async (labels: Record<string, string>) => {
        asked.push(labels);
        return [
          record('exited', false, oneOffLabels('notes', 'rollback')),
          record('running', true, oneOffLabels('notes', 'migrate')),
          // In the same compose project by someone's choice, but not a one-off of ours: untouched.
          record('other', false, { 'com.docker.compose.project': 'notes-oneoff' }),
        ];
      },
      remove: async (id: string) => {
        removed.push(id);
      },
    } as unknown as DockerPort;
    expect(await removeExitedOneOffs(docker, 'notes')).toEqual(['running']);
    expect(asked).toEqual([{ 'com.docker.compose.project': 'notes-oneoff' }]);
    expect(removed).toEqual(['id-exited']);
  });
});
