import type { ContainerCreateSpec, ContainerSettings } from './docker-port';

/** Container settings a service sets itself; those it leaves unset come from the image. */
export interface DeclaredSettings {
  command: boolean;
  entrypoint: boolean;
  workingDir: boolean;
  user: boolean;
  healthcheck: boolean;
  stopSignal: boolean;
  hostname: boolean;
  domainname: boolean;
  macAddress: boolean;
}

/**
 * What the replacement of a container must be, beyond what it carries over from the old one: its image,
 * its environment and labels as its service now sets them, and which image-derived settings the
 * service sets itself (the others are left for the new image to provide).
 */
export interface ReplacementTarget {
  /** The image reference, as written in `Config.Image`. */
  image: string;
  /** `KEY=value` entries the service sets (a bare `KEY` for a name it leaves unset). Secrets. */
  env: string[];
  /** The service's own labels, plus the orchestrator labels that change (config hash, image id …). */
  labels: Record<string, string>;
  declares: DeclaredSettings;
  /** `ExposedPorts` keys the service sets (the image adds its own). */
  exposedPorts: string[];
}

/** Labels the orchestrator keeps on its containers; every other label comes from the service or the image. */
const ORCHESTRATOR_LABEL = 'com.docker.compose.';

/** `Config` fields Docker fills from the image when the create request leaves them out. */
const FROM_IMAGE: [keyof ReplacementTarget['declares'] | null, string][] = [
  ['command', 'Cmd'],
  ['entrypoint', 'Entrypoint'],
  ['workingDir', 'WorkingDir'],
  ['user', 'User'],
  ['healthcheck', 'Healthcheck'],
  ['stopSignal', 'StopSignal'],
  ['hostname', 'Hostname'],
  ['domainname', 'Domainname'],
  ['macAddress', 'MacAddress'],
  [null, 'Volumes'],
  [null, 'OnBuild'],
  [null, 'Shell'],
  [null, 'ArgsEscaped'],
];

/** Endpoint fields a create request may carry; the rest (addresses, ids, gateway) belong to the running one. */
const ENDPOINT_FIELDS = ['IPAMConfig', 'Links', 'Aliases', 'DriverOpts', 'GwPriority'];

/**
 * The create request for a twin of `old` running `target`: every setting of `old` carried over
 * (host config: mounts, ports, restart policy, resources, logging, capabilities, ulimits …; networks
 * and aliases; orchestrator labels), what the service sets taken from `target`, and what came from the
 * old image left out so the new image provides it. Anonymous volumes stay: the twin mounts the old
 * container's by name, also those the new image declares with `VOLUME`.
 */
export function replacementSpec(
  old: ContainerSettings,
  target: ReplacementTarget,
  opts: { name: string; imageVolumes: readonly string[] },
): ContainerCreateSpec {
  const config: Record<string, unknown> = { ...old.config };
  for (const [declared, field] of FROM_IMAGE)
    if (!declared || !target.declares[declared]) delete config[field];
  const oldLabels = (old.config.Labels ?? {}) as Record<string, string>;
  config.Image = target.image;
  config.Env = [...target.env];
  config.ExposedPorts = Object.fromEntries(target.exposedPorts.map((p) => [p, {}]));
  config.Labels = {
    ...Object.fromEntries(Object.entries(oldLabels).filter(([k]) => k.startsWith(ORCHESTRATOR_LABEL))),
    ...target.labels,
  };
  const hostConfig: Record<string, unknown> = { ...old.hostConfig };
  const carried = mounts(old, opts.imageVolumes);
  if (carried.length || old.hostConfig.Mounts != null) hostConfig.Mounts = carried;
  const shortId = old.id.slice(0, 12);
  const networks: Record<string, Record<string, unknown>> = {};
  for (const [name, endpoint] of Object.entries(old.networks)) {
    const kept: Record<string, unknown> = {};
    for (const f of ENDPOINT_FIELDS) if (endpoint[f] !== undefined) kept[f] = endpoint[f];
    // Docker names a container by its short id on each network; the twin gets its own.
    if (Array.isArray(kept.Aliases)) kept.Aliases = (kept.Aliases as string[]).filter((a) => a !== shortId);
    if (target.declares.macAddress && endpoint.MacAddress) kept.MacAddress = endpoint.MacAddress;
    networks[name] = kept;
  }
  return { name: opts.name, config, hostConfig, networks };
}

type Mount = { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean } & Record<
  string,
  unknown
>;

/** The old mounts, anonymous volumes named so the twin mounts the same ones. */
function mounts(old: ContainerSettings, imageVolumes: readonly string[]): Mount[] {
  const volumeAt = new Map(
    old.mounts.filter((m) => m.type === 'volume' && m.name).map((m) => [m.destination, m] as const),
  );
  const out: Mount[] = ((old.hostConfig.Mounts ?? []) as Mount[]).map((m) => {
    const found = m.Target === undefined ? undefined : volumeAt.get(m.Target);
    return m.Type === 'volume' && !m.Source && found ? { ...m, Source: found.name! } : { ...m };
  });
  const binds = ((old.hostConfig.Binds ?? []) as string[]).map((b) => b.split(':')[1]);
  const covered = new Set([...out.map((m) => m.Target), ...binds]);
  for (const target of imageVolumes) {
    const found = volumeAt.get(target);
    if (found && !covered.has(target)) {
      out.push({ Type: 'volume', Source: found.name!, Target: target, ReadOnly: !found.rw });
    }
  }
  return out;
}
