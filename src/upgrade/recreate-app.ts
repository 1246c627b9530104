import type { ComposeProjectFiles } from '../compose/compose-cli';
import { compose } from '../compose/compose-cli';
import { CONFIG_HASH_LABEL, composeConfigHash } from '../compose/config-hash';
import { loadServiceModel, loadServiceSource } from '../compose/load-service-model';
import type { ServiceModel } from '../compose/service-model';
import { type Dependency, unmetDependencies } from '../compose/unmet-dependencies';
import type { Deployment } from '../deployment/deployment';
import { canRecreate } from '../docker/docker-port';
import { recreateContainer, settleReplacement } from '../docker/recreate-container';
import type { ReplacementTarget } from '../docker/replacement-spec';
import { UpgradeError } from '../errors';
import type { SecretSet } from '../secrets';

/** How the app container is recreated: the compose CLI, or the library itself over the Engine API. */
export type RecreateDriver = 'compose' | 'engine';

/** Compose's label with the id of the image a container was created from. */
export const IMAGE_ID_LABEL = 'com.docker.compose.image';

export interface RecreateAppOptions {
  driver: RecreateDriver;
  files: ComposeProjectFiles;
  service: string;
  secrets: SecretSet;
  signal?: AbortSignal;
  /** `never`: the image must be local already (a rollback's old image). */
  pull?: 'never';
  log?: (message: string) => void;
}

/**
 * Brings the app service's container in line with its compose files, as `docker compose up -d
 * <service>` does: with the compose CLI, or with the engine driver, which creates the new container
 * while the old one serves and swaps them (see `recreateContainer`). Either way a container already
 * matching its config (compose's config hash and image) is only started if stopped.
 */
export async function recreateApp(dep: Deployment, opts: RecreateAppOptions): Promise<void> {
  if (opts.driver === 'compose') {
    await composeRecreate(dep, opts);
    return;
  }
  const docker = dep.docker;
  if (!canRecreate(docker)) throw unsupported(['a Docker port that cannot create containers']);
  const model = await engineModel(opts.files, opts.service);
  const log = opts.log ?? (() => undefined);
  const containers = await docker.findContainers({
    'com.docker.compose.project': dep.project,
    'com.docker.compose.service': opts.service,
  });
  const currentId = await settleReplacement(docker, containers, log);
  if (!currentId) {
    throw new UpgradeError('RECREATE_FAILED', {
      message: `Compose project '${dep.project}' has no '${opts.service}' container to replace`,
      unchanged: 'Nothing was changed',
      hint: 'Create it once with docker compose up -d, or plan with the compose driver',
    });
  }
  const image = await docker.inspectImage(model.image);
  if (!image) {
    throw new UpgradeError('RECREATE_FAILED', {
      message: `${model.image} is not in the local image store`,
      unchanged: 'The app container was not touched',
      hint: `Pull it (docker pull ${model.image}), then run again`,
    });
  }
  const hash = composeConfigHash(model);
  const current = await docker.inspect(currentId);
  if (current.labels[CONFIG_HASH_LABEL] === hash && current.labels[IMAGE_ID_LABEL] === image.id) {
    if (!current.running) await docker.start(current.id);
    log(`${current.name} already matches its configuration`);
    return;
  }
  await recreateContainer(
    docker,
    currentId,
    engineTarget(model, { hash, imageId: image.id, replaces: currentId }),
    { log, redact: (text) => opts.secrets.redact(text) },
  );
}

/**
 * `docker compose up -d <service>` in two halves when it is safe: compose creates the new container,
 * stops and removes the old one and gives the new one its name (`up -d --no-start`), and the library
 * starts it at once over the Engine API. `up -d` would start it itself, but only after re-checking the
 * service's `depends_on` conditions on a 500 ms tick, while nothing serves. Those conditions are checked
 * here instead, before compose stops anything; when one is not met (or the service is not one plain
 * container) the plain `up -d` runs and compose waits as it always does.
 */
async function composeRecreate(dep: Deployment, opts: RecreateAppOptions): Promise<void> {
  const log = opts.log ?? (() => undefined);
  const endpoint = await dep.docker.endpoint?.();
  const pull = opts.pull === 'never' ? ['--pull', 'never'] : [];
  const up = (extra: string[]) =>
    compose(opts.files, ['up', '-d', ...extra, ...pull, opts.service], {
      secrets: opts.secrets,
      signal: opts.signal,
      endpoint,
    });
  const containers = await dep.docker.findContainers({ 'com.docker.compose.project': dep.project });
  const own = containers.filter((c) => c.labels['com.docker.compose.service'] === opts.service);
  // Compose reads its files itself; ours only looks for depends_on, and gives way to compose if it cannot.
  const dependsOn = await loadServiceSource(opts.files, opts.service).then(
    (source) => dependsOnOf(source.keys.get('depends_on')),
    () => null,
  );
  const unmet =
    own.length !== 1
      ? []
      : dependsOn
        ? unmetDependencies(dependsOn, containers)
        : ['its depends_on, which the library could not read'];
  if (own.length !== 1 || unmet.length) {
    log(
      own.length !== 1
        ? `${opts.service} has ${own.length} containers: docker compose up -d recreates and starts them`
        : `docker compose up -d waits for ${unmet.join(', ')}`,
    );
    await up([]);
    return;
  }
  await up(['--no-start']);
  // Compose gave the new container the old one's name (or left an up-to-date one as it was).
  const name = own[0]!.name;
  try {
    await dep.docker.start(name);
  } catch (err) {
    throw new UpgradeError('RECREATE_FAILED', {
      message: `docker compose created the new ${name} container, and it did not start: ${opts.secrets.redact(err instanceof UpgradeError ? err.summary : String((err as Error).message ?? err))}`,
      unchanged: 'The old container was removed by docker compose; its volumes are kept',
      hint: 'Read the Docker error; fix its cause (a port in use, a mount, the image), then run again',
      cause: err,
    });
  }
}

function dependsOnOf(value: unknown): Map<string, Dependency> {
  const out = new Map<string, Dependency>();
  if (!(value instanceof Map)) return out;
  for (const [service, d] of value as Map<string, Record<string, unknown>>) {
    out.set(service, {
      condition: typeof d.condition === 'string' ? d.condition : 'service_started',
      required: d.required !== false && d.required !== 'false',
    });
  }
  return out;
}

/** The service as the engine driver sees it; refuses a service it cannot reproduce. */
export async function engineModel(files: ComposeProjectFiles, service: string): Promise<ServiceModel> {
  const loaded = await loadServiceModel(files, service);
  if (!loaded.ok) throw unsupported(loaded.unsupported);
  return loaded.model;
}

/** The replacement compose would create for `model`, labelled as compose labels it. */
export function engineTarget(
  model: ServiceModel,
  ids: { hash: string; imageId: string; replaces: string },
): ReplacementTarget {
  return {
    image: model.image,
    env: [...model.environment].map(([k, v]) => (v === null ? k : `${k}=${v}`)).sort(),
    labels: {
      ...Object.fromEntries(model.labels),
      [CONFIG_HASH_LABEL]: ids.hash,
      [IMAGE_ID_LABEL]: ids.imageId,
      'com.docker.compose.replace': ids.replaces,
    },
    declares: model.declares,
    exposedPorts: model.exposedPorts,
  };
}

function unsupported(what: string[]): UpgradeError {
  return new UpgradeError('RECREATE_UNSUPPORTED', {
    message: `The engine recreate driver cannot stand in for docker compose here: ${what.join(', ')}`,
    unchanged: 'Nothing was changed',
    hint: "Use driver: 'compose' on a host with the compose plugin, or remove those keys from the service",
  });
}
