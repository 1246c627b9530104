import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import { type ComposeProjectFiles, compose } from '../../../src/compose/compose-cli';
import { Deployment } from '../../../src/deployment/deployment';
import { DockerodeDocker } from '../../../src/docker/dockerode-docker';
import { OWNER_LABEL, ownerLabel, TESTBED_LABEL } from '../../../src/testing/images';

const docker = new Docker();

/** Labels that let the suite's sweep find anything a failed test leaves. */
export const LAB_LABELS = { [TESTBED_LABEL]: 'true', [OWNER_LABEL]: ownerLabel() };

/**
 * A throwaway compose project in its own directory (not an Engram stack): write its files, drive it
 * with the compose CLI, and `down -v` it and remove the directory when disposed.
 */
export class LabProject implements AsyncDisposable {
  readonly dir: string;
  readonly name: string;
  readonly files: ComposeProjectFiles;

  constructor(files: Record<string, string>, composeFiles = ['compose.yaml']) {
    this.dir = mkdtempSync(join(tmpdir(), 'engram-lab-'));
    this.name = `lab${process.pid}x${Math.random().toString(36).slice(2, 8)}`;
    this.write(files);
    this.files = {
      project: this.name,
      workingDir: this.dir,
      configFiles: composeFiles.map((f) => join(this.dir, f)),
      envFile: join(this.dir, '.env'),
    };
  }

  write(files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, name)), { recursive: true });
      writeFileSync(join(this.dir, name), text);
    }
  }

  compose(args: string[]): Promise<{ stdout: string; stderr: string }> {
    return compose(this.files, args);
  }

  /** The deployment handle the library drives, with `service` as its app. */
  deployment(service: string): Deployment {
    return new Deployment({
      project: this.name,
      appService: service,
      dbService: service,
      docker: new DockerodeDocker(),
    });
  }

  /** `docker inspect` of the service's container (the one named as compose names it). */
  inspect(service: string): Promise<Docker.ContainerInspectInfo> {
    return docker.getContainer(`${this.name}-${service}-1`).inspect();
  }

  /** Every container of the project, running or not, by name. */
  async containers(): Promise<{ id: string; name: string; state: string }[]> {
    const list = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${this.name}`] },
    });
    return list
      .map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), state: c.State }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // A replacement is handed its predecessor's anonymous volumes by name, so neither `down --volumes`
    // nor removing the container with its volumes takes them any more: they are removed by name.
    const anonymous = await this.anonymousVolumes();
    try {
      await this.compose(['down', '--volumes', '--remove-orphans', '--timeout', '1']);
    } finally {
      // A container the library left aside under another name is still the project's.
      for (const c of await this.containers())
        await docker
          .getContainer(c.id)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      rmSync(this.dir, { recursive: true, force: true });
      for (const name of anonymous)
        await docker
          .getVolume(name)
          .remove()
          .catch((err: { statusCode?: number }) => {
            if (err.statusCode !== 404) throw err; // 404: gone with its container after all
          });
    }
  }

  /** Anonymous (unnamed, 64-hex) volumes mounted by the project's containers. */
  async anonymousVolumes(): Promise<string[]> {
    const names = new Set<string>();
    for (const c of await this.containers())
      for (const m of (await docker.getContainer(c.id).inspect()).Mounts)
        if (m.Type === 'volume' && m.Name && /^[0-9a-f]{64}$/.test(m.Name)) names.add(m.Name);
    return [...names];
  }
}

/**
 * A container's configuration without what differs by design between a container and its replacement
 * (id, creation, the name-derived hostname, compose's hash, image and replaced-container labels), and
 * with env sorted and aliases without the container's own short id.
 */
export function configOf(info: Docker.ContainerInspectInfo): Record<string, unknown> {
  const labels = { ...info.Config.Labels };
  for (const k of [
    'com.docker.compose.config-hash',
    'com.docker.compose.image',
    'com.docker.compose.replace',
  ])
    delete labels[k];
  const { Hostname: _h, Image: _i, Labels: _l, Env, ...config } = info.Config;
  const { Mounts: _m, ...hostConfig } = info.HostConfig;
  return {
    config,
    env: [...(Env ?? [])].sort(),
    labels,
    hostConfig,
    mounts: [...info.Mounts]
      .sort((a, b) => (a.Destination < b.Destination ? -1 : 1))
      .map((m) => ({
        type: m.Type,
        name: m.Name,
        destination: m.Destination,
        rw: m.RW,
        mode: m.Mode,
      })),
    networks: Object.fromEntries(
      Object.entries(info.NetworkSettings.Networks).map(([k, v]) => [
        k,
        [...(v.Aliases ?? [])].filter((a) => !/^[0-9a-f]{12}$/.test(a)).sort(),
      ]),
    ),
  };
}
