import { describe, expect, it } from 'vitest';
import type { ContainerSettings } from '../../../src/docker/docker-port';
import { type ReplacementTarget, replacementSpec } from '../../../src/docker/replacement-spec';

const OLD_ID = 'a1b2c3d4e5f6'.padEnd(64, '0');

/** A compose-created container as inspect reports it (trimmed to what matters here). */
function oldContainer(): ContainerSettings {
  return {
    id: OLD_ID,
    name: 'proj-engram-1',
    running: true,
    imageId: 'sha256:old',
    config: {
      Hostname: 'a1b2c3d4e5f6',
      User: '',
      AttachStdout: true,
      ExposedPorts: { '4000/tcp': {}, '8080/tcp': {} },
      Env: ['PHX_SERVER=true', 'RELEASE_SHA=old', 'PATH=/usr/bin'],
      Cmd: ['start'],
      Entrypoint: ['/entrypoint.sh'],
      Image: 'engram:0.15.0',
      Volumes: { '/app/data': {} },
      WorkingDir: '/app',
      Healthcheck: { Test: ['CMD-SHELL', 'curl -sf localhost:4000'] },
      Labels: {
        'com.docker.compose.project': 'proj',
        'com.docker.compose.config-hash': 'old-hash',
        'com.docker.compose.version': '2.26.1',
        'org.opencontainers.image.version': '0.15.0',
        'example.owner': 'ops',
      },
      StopTimeout: 30,
      OnBuild: null,
    },
    hostConfig: {
      Binds: ['/srv/conf:/conf:ro'],
      PortBindings: { '4000/tcp': [{ HostIp: '127.0.0.1', HostPort: '4000' }] },
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      CapDrop: ['NET_RAW'],
      Ulimits: [{ Name: 'nofile', Soft: 4096, Hard: 8192 }],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m' } },
      Memory: 536870912,
      Mounts: [{ Type: 'volume', Target: '/app/cache' }],
    },
    networks: {
      proj_default: {
        Aliases: ['proj-engram-1', 'engram', 'notes-api', 'a1b2c3d4e5f6'],
        IPAMConfig: null,
        Links: null,
        DriverOpts: null,
        MacAddress: '02:42:ac:11:00:02',
        NetworkID: 'net',
        EndpointID: 'ep',
        IPAddress: '172.17.0.2',
        Gateway: '172.17.0.1',
      },
    },
    mounts: [
      { type: 'volume', name: 'anon-cache', destination: '/app/cache', rw: true },
      { type: 'volume', name: 'anon-data', destination: '/app/data', rw: true },
      { type: 'bind', name: null, destination: '/conf', rw: false },
    ],
  };
}

function target(over: Partial<ReplacementTarget> = {}): ReplacementTarget {
  return {
    image: 'engram:0.15.1',
    env: ['PHX_SERVER=true'],
    labels: { 'example.owner': 'ops', 'com.docker.compose.config-hash': 'new-hash' },
    declares: {
      command: false,
      entrypoint: false,
      workingDir: false,
      user: false,
      healthcheck: true,
      stopSignal: false,
      hostname: false,
      domainname: false,
      macAddress: false,
    },
    exposedPorts: ['4000/tcp'],
    ...over,
  };
}

describe('replacementSpec', () => {
  it('carries the host config and networks over, and takes env, image and labels from the service', () => {
    const spec = replacementSpec(oldContainer(), target(), { name: 'tmp', imageVolumes: ['/app/data'] });
    expect(spec.name).toBe('tmp');
    expect(spec.config.Image).toBe('engram:0.15.1');
    // Only what the service sets: the old image's RELEASE_SHA and PATH come from the new image instead.
    expect(spec.config.Env).toEqual(['PHX_SERVER=true']);
    expect(spec.config.Labels).toEqual({
      'com.docker.compose.project': 'proj',
      'com.docker.compose.config-hash': 'new-hash',
      'com.docker.compose.version': '2.26.1',
      'example.owner': 'ops',
    });
    expect(spec.config.ExposedPorts).toEqual({ '4000/tcp': {} });
    expect(spec.config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'curl -sf localhost:4000'] });
    expect(spec.config.StopTimeout).toBe(30);
    for (const fromImage of ['Cmd', 'Entrypoint', 'WorkingDir', 'User', 'Hostname', 'Volumes', 'OnBuild']) {
      expect(spec.config, fromImage).not.toHaveProperty(fromImage);
    }
    const { Mounts, ...host } = spec.hostConfig;
    const { Mounts: _old, ...oldHost } = oldContainer().hostConfig;
    expect(host).toEqual(oldHost);
    expect(spec.networks).toEqual({
      proj_default: {
        Aliases: ['proj-engram-1', 'engram', 'notes-api'],
        IPAMConfig: null,
        Links: null,
        DriverOpts: null,
      },
    });
    // The anonymous volumes stay: the one compose declared, and the one the new image declares too.
    expect(Mounts).toEqual([
      { Type: 'volume', Target: '/app/cache', Source: 'anon-cache' },
      { Type: 'volume', Source: 'anon-data', Target: '/app/data', ReadOnly: false },
    ]);
  });

  it('keeps what the service sets itself, and leaves an image volume the new image no longer declares', () => {
    const spec = replacementSpec(
      oldContainer(),
      target({
        declares: { ...target().declares, command: true, workingDir: true, hostname: true, macAddress: true },
      }),
      { name: 'tmp', imageVolumes: [] },
    );
    expect(spec.config).toMatchObject({ Cmd: ['start'], WorkingDir: '/app', Hostname: 'a1b2c3d4e5f6' });
    expect(spec.networks.proj_default!.MacAddress).toBe('02:42:ac:11:00:02');
    expect(spec.hostConfig.Mounts).toEqual([{ Type: 'volume', Target: '/app/cache', Source: 'anon-cache' }]);
  });

  it('does not touch the old settings it reads', () => {
    const old = oldContainer();
    const before = JSON.stringify(old);
    replacementSpec(old, target(), { name: 'tmp', imageVolumes: ['/app/data'] });
    expect(JSON.stringify(old)).toBe(before);
  });
});
