import { describe, expect, it } from 'vitest';
import type { ContainerCreateSpec, ContainerSettings } from '../../../src/docker/docker-port';
import {
  asideName,
  type RecreatePort,
  recreateContainer,
  settleReplacement,
  waitingName,
} from '../../../src/docker/recreate-container';
import type { ReplacementTarget } from '../../../src/docker/replacement-spec';
import { UpgradeError } from '../../../src/errors';

const OLD = 'a1b2c3d4e5f6'.padEnd(64, '0');
const NAME = 'proj-engram-1';

interface Held {
  id: string;
  name: string;
  running: boolean;
  image: string;
}

/** Containers in memory, with Docker's name rules; `failStart` / `failCreate` inject faults 15. */
class FakeEngine implements RecreatePort {
  readonly held = new Map<string, Held>();
  readonly log: string[] = [];
  failCreate: Error | null = null;
  failStart: (c: Held) => Error | null = () => null;
  failRename: (c: Held, name: string) => Error | null = () => null;
  #next = 1;

  constructor(running = true) {
    this.held.set(OLD, { id: OLD, name: NAME, running, image: 'engram:0.15.0' });
  }

  #get(idOrName: string): Held {
    const c = this.held.get(idOrName) ?? [...this.held.values()].find((x) => x.name === idOrName);
    if (!c) throw Object.assign(new Error(`No such container: ${idOrName}`), { statusCode: 404 });
    return c;
  }

  async containerSettings(idOrName: string): Promise<ContainerSettings> {
    const c = this.#get(idOrName);
    return {
      id: c.id,
      name: c.name,
      running: c.running,
      imageId: c.image,
      config: { Labels: {} },
      hostConfig: {},
      networks: {},
      mounts: [],
    };
  }
  async imageVolumes(): Promise<string[] | null> {
    return [];
  }
  async createContainer(spec: ContainerCreateSpec): Promise<string> {
    this.log.push(`create ${spec.name}`);
    if (this.failCreate) throw this.failCreate;
    if ([...this.held.values()].some((c) => c.name === spec.name))
      throw new Error(`Conflict: ${spec.name} is in use`);
    const id = `${String(this.#next++).padStart(12, 'f')}${'0'.repeat(52)}`;
    this.held.set(id, { id, name: spec.name, running: false, image: String(spec.config.Image) });
    return id;
  }
  async renameContainer(id: string, name: string): Promise<void> {
    this.log.push(`rename ${this.#get(id).name} -> ${name}`);
    const err = this.failRename(this.#get(id), name);
    if (err) throw err;
    if ([...this.held.values()].some((c) => c.name === name && c.id !== id))
      throw new Error(`Conflict: ${name} is in use`);
    this.#get(id).name = name;
  }
  async removeContainerKeepVolumes(id: string): Promise<void> {
    this.log.push(`remove ${this.held.get(id)?.name ?? id}`);
    this.held.delete(id);
  }
  async stop(id: string): Promise<void> {
    this.log.push(`stop ${this.#get(id).name}`);
    this.#get(id).running = false;
  }
  async start(id: string): Promise<void> {
    const c = this.#get(id);
    this.log.push(`start ${c.name}`);
    const err = this.failStart(c);
    if (err) throw err;
    c.running = true;
  }
  list(): Held[] {
    return [...this.held.values()];
  }
}

const TARGET: ReplacementTarget = {
  image: 'engram:0.15.1',
  env: [],
  labels: {},
  declares: {
    command: false,
    entrypoint: false,
    workingDir: false,
    user: false,
    healthcheck: false,
    stopSignal: false,
    hostname: false,
    domainname: false,
    macAddress: false,
  },
  exposedPorts: [],
};

async function rejection(p: Promise<unknown>): Promise<UpgradeError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeError);
  return err as UpgradeError;
}

describe('recreateContainer', () => {
  it('creates the new container while the old one runs, then swaps them and removes the old one', async () => {
    const docker = new FakeEngine();
    const out = await recreateContainer(docker, OLD, TARGET);
    expect(docker.list()).toEqual([{ id: out.id, name: NAME, running: true, image: 'engram:0.15.1' }]);
    expect(out).toMatchObject({ name: NAME, replaced: OLD });
    expect(docker.log).toEqual([
      `create ${waitingName(OLD, NAME)}`,
      `stop ${NAME}`,
      // Nothing between the stop and the start: the names are swapped once the new one runs.
      `start ${waitingName(OLD, NAME)}`,
      `rename ${NAME} -> ${asideName(OLD, NAME)}`,
      `rename ${waitingName(OLD, NAME)} -> ${NAME}`,
      `remove ${asideName(OLD, NAME)}`,
    ]);
  });

  it('removes the started new container and puts the old one back when the names cannot be swapped', async () => {
    const docker = new FakeEngine();
    docker.failRename = (c, name) =>
      name === NAME && c.id !== OLD ? new Error('name already in use') : null;
    const err = await rejection(recreateContainer(docker, OLD, TARGET));
    expect(err.code).toBe('RECREATE_FAILED');
    expect(err.message).toContain('name already in use');
    expect(err.unchanged).toBe(`The old ${NAME} container was put back under its name and runs again`);
    expect(docker.list()).toEqual([{ id: OLD, name: NAME, running: true, image: 'engram:0.15.0' }]);
  });

  it('leaves the old container serving, untouched, when the new one cannot be created (fault 15)', async () => {
    const docker = new FakeEngine();
    docker.failCreate = new Error('network proj_gone not found');
    const err = await rejection(recreateContainer(docker, OLD, TARGET));
    expect(err.code).toBe('RECREATE_FAILED');
    expect(err.message).toContain('network proj_gone not found');
    expect(err.unchanged).toBe(`${NAME} was not touched and keeps running`);
    expect(docker.list()).toEqual([{ id: OLD, name: NAME, running: true, image: 'engram:0.15.0' }]);
  });

  it('puts the old container back under its name and starts it when the new one does not start (fault 15)', async () => {
    const docker = new FakeEngine();
    docker.failStart = (c) =>
      c.id !== OLD ? new Error('Bind for 127.0.0.1:4000 failed: port is already allocated') : null;
    const err = await rejection(recreateContainer(docker, OLD, TARGET));
    expect(err.code).toBe('RECREATE_FAILED');
    expect(err.message).toContain('port is already allocated');
    expect(err.unchanged).toBe(`The old ${NAME} container was put back under its name and runs again`);
    expect(docker.list()).toEqual([{ id: OLD, name: NAME, running: true, image: 'engram:0.15.0' }]);
  });

  it('says so when putting the old container back fails too', async () => {
    const docker = new FakeEngine();
    docker.failStart = () => new Error('no space left on device');
    const err = await rejection(recreateContainer(docker, OLD, TARGET));
    expect(err.unchanged).toMatch(
      /^Putting the old container back failed: starting proj-engram-1 again: no space left/,
    );
    expect(err.unchanged).toContain(OLD.slice(0, 12));
  });

  it('starts the new container even when the old one was stopped, and puts back a stopped one stopped', async () => {
    const ok = new FakeEngine(false);
    await recreateContainer(ok, OLD, TARGET);
    expect(ok.list()).toEqual([
      expect.objectContaining({ name: NAME, running: true, image: 'engram:0.15.1' }),
    ]);
    expect(ok.log.some((l) => l.startsWith('stop'))).toBe(false);
    const failing = new FakeEngine(false);
    failing.failStart = (c) => (c.id !== OLD ? new Error('exec format error') : null);
    const err = await rejection(recreateContainer(failing, OLD, TARGET));
    expect(err.unchanged).toBe(`The old ${NAME} container was put back under its name (it was not running)`);
    expect(failing.list()).toEqual([{ id: OLD, name: NAME, running: false, image: 'engram:0.15.0' }]);
  });
});

describe('settleReplacement: a re-run after an interrupted replacement', () => {
  const waiting = { id: 'w'.repeat(64), name: waitingName(OLD, NAME), running: false, image: 'new' };

  it('removes a new container left waiting (killed between create and stop) and replaces the old one', async () => {
    const docker = new FakeEngine();
    docker.held.set(waiting.id, { ...waiting });
    expect(await settleReplacement(docker, docker.list())).toBe(OLD);
    expect(docker.list().map((c) => c.name)).toEqual([NAME]);
  });

  it('puts the old one back when it was renamed aside and the new one never started', async () => {
    const docker = new FakeEngine(false);
    docker.held.get(OLD)!.name = asideName(OLD, NAME);
    docker.held.set('n'.repeat(64), { id: 'n'.repeat(64), name: NAME, running: false, image: 'new' });
    expect(await settleReplacement(docker, docker.list())).toBe(OLD);
    expect(docker.list()).toEqual([{ id: OLD, name: NAME, running: false, image: 'engram:0.15.0' }]);
    // Killed between the two renames: no container has the name, the old one gets it back.
    const between = new FakeEngine(false);
    between.held.get(OLD)!.name = asideName(OLD, NAME);
    between.held.set(waiting.id, { ...waiting });
    expect(await settleReplacement(between, between.list())).toBe(OLD);
    expect(between.list().map((c) => c.name)).toEqual([NAME]);
  });

  it('keeps a new container that already runs under its waiting name (killed before the renames)', async () => {
    const fresh = { ...waiting, running: true };
    // Killed right after the start: the old one, stopped, still has the name.
    const docker = new FakeEngine(false);
    docker.held.set(fresh.id, { ...fresh });
    expect(await settleReplacement(docker, docker.list())).toBe(fresh.id);
    expect(docker.list()).toEqual([{ ...fresh, name: NAME }]);
    // Killed between the two renames: the old one is aside.
    const between = new FakeEngine(false);
    between.held.get(OLD)!.name = asideName(OLD, NAME);
    between.held.set(fresh.id, { ...fresh });
    expect(await settleReplacement(between, between.list())).toBe(fresh.id);
    expect(between.list()).toEqual([{ ...fresh, name: NAME }]);
  });

  it('removes a waiting container that runs beside an old one that serves again', async () => {
    const docker = new FakeEngine(true);
    docker.held.set(waiting.id, { ...waiting, running: true });
    expect(await settleReplacement(docker, docker.list())).toBe(OLD);
    expect(docker.list().map((c) => c.name)).toEqual([NAME]);
  });

  it('keeps the new container when it already runs, and removes the old one set aside', async () => {
    const docker = new FakeEngine(false);
    docker.held.get(OLD)!.name = asideName(OLD, NAME);
    const fresh = 'n'.repeat(64);
    docker.held.set(fresh, { id: fresh, name: NAME, running: true, image: 'new' });
    expect(await settleReplacement(docker, docker.list())).toBe(fresh);
    expect(docker.list()).toEqual([{ id: fresh, name: NAME, running: true, image: 'new' }]);
  });

  it('changes nothing when nothing was interrupted, and answers null for a service with no container', async () => {
    const docker = new FakeEngine();
    expect(await settleReplacement(docker, docker.list())).toBe(OLD);
    expect(docker.log).toEqual([]);
    expect(await settleReplacement(docker, [])).toBeNull();
  });
});
