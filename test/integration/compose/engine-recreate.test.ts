import { join } from 'node:path';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { SecretSet } from '../../../src/secrets';
import { freePort } from '../../../src/testing/free-port';
import { postgresImage } from '../../../src/testing/images';
import { recreateApp } from '../../../src/upgrade/recreate-app';
import { endedBySignal, spawnScript } from '../killed-at';
import { configOf, LAB_LABELS, LabProject } from './lab-project';

const docker = new Docker();

/**
 * A service with every kind of setting fault 14 names: an env value equal to the image's own default
 * (PG_MAJOR), an anonymous volume, a network alias, a published port, labels, caps, ulimits, a
 * healthcheck override, a restart policy, resources and logging.
 */
function composeFile(image: string, port: number): string {
  return `services:
  app:
    image: ${image}
    command: ["sleep", "infinity"]
    environment:
      PG_MAJOR: "15"
      APP_SECRET: \${APP_SECRET}
    env_file: [.env]
    volumes: ["/cache", "data:/data"]
    networks:
      default:
        aliases: [notes-api]
    ports: ["127.0.0.1:${port}:5432"]
    labels:
${Object.entries({ ...LAB_LABELS, 'example.owner': 'ops' })
  .map(([k, v]) => `      ${k}: "${v}"`)
  .join('\n')}
    cap_drop: [NET_RAW]
    ulimits: {nofile: {soft: 4096, hard: 8192}}
    healthcheck:
      test: ["CMD", "true"]
      interval: 2s
    restart: unless-stopped
    stop_grace_period: 2s
    mem_limit: 256m
    logging: {driver: json-file, options: {max-size: 1m}}
volumes:
  data: {labels: ${JSON.stringify(LAB_LABELS)}}
networks:
  default: {labels: ${JSON.stringify(LAB_LABELS)}}
`;
}

async function labProject(image = postgresImage(15)) {
  const port = await freePort();
  const project = new LabProject({
    'compose.yaml': composeFile(image, port),
    '.env': 'APP_SECRET=canary-s3cr3t\n',
  });
  await project.compose(['up', '-d', 'app']);
  return { project, port };
}

function engine(project: LabProject) {
  return recreateApp(project.deployment('app'), {
    driver: 'engine',
    files: project.files,
    service: 'app',
    secrets: new SecretSet(),
  });
}

/** Whatever the image sets (its PATH, its own ENV) differs between two images by design. */
function withoutImageEnv(config: Record<string, unknown>, image: Docker.ImageInspectInfo) {
  const fromImage = new Set(image.Config.Env ?? []);
  return { ...config, env: (config.env as string[]).filter((e) => !fromImage.has(e) || e === 'PG_MAJOR=15') };
}

describe('the engine recreate driver', () => {
  it('replaces the container as compose would: every setting kept, and compose sees nothing to change (fault 14)', async () => {
    const { project, port } = await labProject();
    await using _ = project;
    // The baseline is a container compose has recreated once: from then on it mounts the volumes the
    // image declares explicitly (mode z), as every replacement does, compose's or the engine driver's.
    await project.compose(['up', '-d', '--force-recreate', 'app']);
    const before = await project.inspect('app');
    // The upgrade: the image changes (15 → 17), nothing else.
    project.write({ 'compose.yaml': composeFile(postgresImage(17), port) });
    await engine(project);
    const upgraded = await project.inspect('app');
    expect(upgraded.Id).not.toBe(before.Id);
    expect(upgraded.State.Running).toBe(true);
    expect(upgraded.Config.Image).toBe(postgresImage(17));
    expect(upgraded.Config.Env).toContain('PG_MAJOR=15'); // set by the service, though the new image says 17
    expect(upgraded.Config.Env).toContain('APP_SECRET=canary-s3cr3t');
    const images = {
      old: await docker.getImage(postgresImage(15)).inspect(),
      new: await docker.getImage(postgresImage(17)).inspect(),
    };
    expect(withoutImageEnv(configOf(upgraded), images.new)).toEqual(
      withoutImageEnv(configOf(before), images.old),
    );
    expect(upgraded.Mounts.find((m) => m.Destination === '/cache')?.Name).toBe(
      before.Mounts.find((m) => m.Destination === '/cache')?.Name,
    );
    // Compose agrees it is up to date…
    const up = await project.compose(['up', '-d', 'app']);
    expect(up.stderr).not.toMatch(/Recreat/);
    expect((await project.inspect('app')).Id).toBe(upgraded.Id);
    // …and recreating it with compose itself gives the same container.
    await project.compose(['up', '-d', '--force-recreate', 'app']);
    expect(configOf(await project.inspect('app'))).toEqual(configOf(upgraded));

    // The rollback: back to the old image; the result is the original container's twin.
    project.write({ 'compose.yaml': composeFile(postgresImage(15), port) });
    await engine(project);
    const back = await project.inspect('app');
    expect(configOf(back)).toEqual(configOf(before));
    expect((await project.compose(['up', '-d', 'app'])).stderr).not.toMatch(/Recreat/);
    expect((await project.containers()).map((c) => c.state)).toEqual(['running']);
  });

  it('leaves the old container untouched when the new one cannot be created (fault 15)', async () => {
    const { project, port } = await labProject();
    await using _ = project;
    const before = await project.inspect('app');
    project.write({ 'compose.yaml': composeFile(`${postgresImage(15)}-not-pulled`, port) });
    const err = await engine(project).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RECREATE_FAILED' });
    expect((err as Error).message).toMatch(/not in the local image store.*not touched/);
    expect((await project.containers()).map((c) => [c.id, c.state])).toEqual([[before.Id, 'running']]);
  });

  it('puts the old container back, running, when the new one does not start (fault 15)', async () => {
    const { project, port } = await labProject();
    await using _ = project;
    const before = await project.inspect('app');
    // An image whose entrypoint does not exist: created fine, fails on start.
    const broken = `engram-upgrade-lab/broken:${process.pid}`;
    const seed = await docker.createContainer({ Image: postgresImage(15), Labels: LAB_LABELS });
    try {
      await seed.commit({
        repo: broken.split(':')[0],
        tag: broken.split(':')[1],
        changes: 'ENTRYPOINT ["/nonexistent"]',
      });
      project.write({ 'compose.yaml': composeFile(broken, port) });
      const err = await engine(project).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'RECREATE_FAILED' });
      expect((err as Error).message).toContain('did not start');
      expect((err as Error).message).toContain('was put back under its name and runs again');
      expect((await project.containers()).map((c) => [c.id, c.name, c.state])).toEqual([
        [before.Id, `${project.name}-app-1`, 'running'],
      ]);
      expect(configOf(await project.inspect('app'))).toEqual(configOf(before));
    } finally {
      await seed.remove({ force: true, v: true });
      await docker
        .getImage(broken)
        .remove({ force: true })
        .catch(() => undefined);
    }
  });

  it.each(['created', 'stopped', 'running', 'started'])(
    'killed when the driver has %s: never two running, and a re-run finishes with the new container (fault 15)',
    async (point) => {
      const { project, port } = await labProject();
      await using _ = project;
      const before = await project.inspect('app');
      project.write({ 'compose.yaml': composeFile(postgresImage(17), port) });
      expect(await killedAt(project, point)).toBe('SIGKILL');
      const left = await project.containers();
      expect(left.filter((c) => c.state === 'running').length).toBe(point === 'stopped' ? 0 : 1);
      const runningId = left.find((c) => c.state === 'running')?.id;
      if (point === 'created') expect(runningId).toBe(before.Id);
      await engine(project);
      const after = await project.containers();
      expect(after.map((c) => [c.name, c.state])).toEqual([[`${project.name}-app-1`, 'running']]);
      // Killed between the start and the renames: the new container, already running, is kept.
      if (point === 'running') expect(after[0]!.id).toBe(runningId);
      expect((await project.inspect('app')).Config.Image).toBe(postgresImage(17));
      expect((await project.compose(['up', '-d', 'app'])).stderr).not.toMatch(/Recreat/);
    },
  );
});

function killedAt(project: LabProject, point: string): Promise<NodeJS.Signals | null> {
  return endedBySignal(
    spawnScript(join(import.meta.dirname, 'recreate-child.ts'), [project.name, project.dir, 'app', point]),
  );
}
