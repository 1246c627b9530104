import { describe, expect, it } from 'vitest';
import { type Dependency, unmetDependencies } from '../../../src/compose/unmet-dependencies';
import type { ContainerRecord } from '../../../src/docker/docker-port';

function container(service: string, over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id: `${service}-id`,
    name: `proj-${service}-1`,
    image: `${service}:1`,
    imageId: 'sha256:1',
    labels: { 'com.docker.compose.project': 'proj', 'com.docker.compose.service': service },
    env: [],
    running: true,
    status: 'running',
    exitCode: 0,
    restartCount: 0,
    health: 'healthy',
    startedAt: '2026-11-29T09:00:00Z',
    networks: [],
    addresses: [],
    ...over,
  };
}

const on = (entries: [string, Partial<Dependency>][]) =>
  new Map(entries.map(([s, d]) => [s, { condition: 'service_started', required: true, ...d }]));

describe('unmetDependencies: the depends_on conditions compose would wait for', () => {
  it('finds nothing unmet when every dependency is as its condition asks', () => {
    const deps = on([
      ['postgres', { condition: 'service_healthy' }],
      ['qdrant', {}],
      ['ollama-init', { condition: 'service_completed_successfully' }],
    ]);
    const containers = [
      container('engram'),
      container('postgres'),
      container('qdrant', { health: 'none' }),
      container('ollama-init', { running: false, status: 'exited', health: 'none' }),
    ];
    expect(unmetDependencies(deps, containers)).toEqual([]);
    expect(unmetDependencies(new Map(), [])).toEqual([]);
  });

  it('names each dependency that is not healthy, not running, failed or missing', () => {
    const deps = on([
      ['postgres', { condition: 'service_healthy' }],
      ['qdrant', {}],
      ['ollama-init', { condition: 'service_completed_successfully' }],
      ['minio', {}],
      ['extra', { required: false }],
    ]);
    const containers = [
      container('postgres', { health: 'starting' }),
      container('qdrant', { running: false, status: 'exited' }),
      container('ollama-init', { running: false, status: 'exited', exitCode: 1, health: 'none' }),
    ];
    expect(unmetDependencies(deps, containers)).toEqual([
      'postgres (proj-postgres-1) is starting, not healthy',
      'qdrant (proj-qdrant-1) is not running',
      'ollama-init (proj-ollama-init-1) has not completed successfully',
      'minio has no container',
    ]);
  });

  it('does not take a healthy condition as met by a container without a healthcheck, nor a never-started one as completed', () => {
    const deps = on([
      ['postgres', { condition: 'service_healthy' }],
      ['init', { condition: 'service_completed_successfully' }],
    ]);
    const containers = [
      container('postgres', { health: 'none' }),
      container('init', {
        running: false,
        status: 'created',
        health: 'none',
        startedAt: '0001-01-01T00:00:00Z',
      }),
    ];
    expect(unmetDependencies(deps, containers)).toEqual([
      'postgres (proj-postgres-1) has no healthcheck to be healthy by',
      'init (proj-init-1) has not completed successfully',
    ]);
  });
});
