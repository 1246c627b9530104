import type { DeclaredSettings } from '../docker/replacement-spec';
import type { PortEntry } from './compose-ports';
import type { VolumeEntry } from './compose-volumes';
import { parseEnvFile } from './env-file';
import { GoFloat32, type GoValue } from './go-json';
import { formatGoDuration, parseGoDuration, parseRamBytes } from './go-units';
import { goString, isRecord, type ServiceSource } from './service-source';

/** An env file a service names, resolved against the project directory. */
export interface ServiceEnvFile {
  path: string;
  required: boolean;
}

/**
 * A compose service as compose holds it once loaded: `value` has compose's own field order and
 * omissions, so its Go JSON is what compose hashes; the other fields are what a container created for
 * the service gets from it. Values may hold secrets (the environment): never log or store them.
 */
export interface ServiceModel {
  value: { readonly [field: string]: GoValue };
  image: string;
  /** The resolved environment: env files first, `environment:` over them; null for an unset name. */
  environment: Map<string, string | null>;
  labels: Map<string, string>;
  /** Container settings the service sets itself (unset ones come from the image). */
  declares: DeclaredSettings;
  /** `ExposedPorts` keys the service sets: its `expose:` entries as written, its `ports:` targets. */
  exposedPorts: string[];
}

export type ServiceModelResult = { ok: true; model: ServiceModel } | { ok: false; unsupported: string[] };

/** The env files `source` reads, in order: read them and pass their text to `buildServiceModel`. */
export function serviceEnvFiles(source: ServiceSource): ServiceEnvFile[] {
  return (source.keys.get('env_file') as ServiceEnvFile[] | undefined) ?? [];
}

/**
 * The service compose would load from `source`. `env` is the project environment (what compose
 * interpolates with); `envFileTexts` holds each env file's text, null for one that does not exist.
 */
export function buildServiceModel(
  source: ServiceSource,
  env: ReadonlyMap<string, string>,
  envFileTexts: ReadonlyMap<string, string | null>,
): ServiceModelResult {
  const unsupported = [...source.unsupported];
  const keys = new Map(source.keys);
  normalize(keys, unsupported);
  const environment = resolveEnvironment(keys, env, envFileTexts, unsupported);
  keys.set('environment', environment);
  const v = new Values(keys, unsupported);
  const value: Record<string, GoValue> = {};
  const put = (field: string, x: GoValue | undefined) => {
    if (x !== undefined) value[field] = x;
  };
  put('profiles', v.strings('profiles'));
  put('attach', v.bool('attach', true));
  for (const k of ['cap_add', 'cap_drop']) put(k, v.strings(k));
  for (const k of ['cgroup_parent', 'cgroup']) put(k, v.string(k));
  put('cpu_count', v.int('cpu_count'));
  put('cpu_percent', v.float32('cpu_percent'));
  for (const k of ['cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime']) put(k, v.int(k));
  put('cpus', v.float32('cpus'));
  put('cpuset', v.string('cpuset'));
  put('cpu_shares', v.int('cpu_shares'));
  put('command', (keys.get('command') as string[] | null | undefined) ?? null);
  put('container_name', v.string('container_name'));
  put('depends_on', v.map('depends_on', dependency));
  put('deploy', v.deploy());
  put('device_cgroup_rules', v.strings('device_cgroup_rules'));
  put('dns', v.strings('dns'));
  put('dns_opt', v.strings('dns_opt'));
  put('dns_search', v.strings('dns_search'));
  put('domainname', v.string('domainname'));
  put('entrypoint', (keys.get('entrypoint') as string[] | null | undefined) ?? null);
  put('environment', environment.size ? environment : undefined);
  put('expose', v.strings('expose'));
  put('external_links', v.strings('external_links'));
  put('extra_hosts', v.hosts());
  put('group_add', v.strings('group_add'));
  put('hostname', v.string('hostname'));
  put('healthcheck', v.healthcheck());
  put('image', v.string('image'));
  put('init', v.bool('init', true));
  for (const k of ['ipc', 'isolation']) put(k, v.string(k));
  const labels = (keys.get('labels') as Map<string, string> | undefined) ?? new Map<string, string>();
  put('labels', labels.size ? labels : undefined);
  put('logging', v.logging());
  for (const k of ['mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness']) put(k, v.bytes(k));
  put('mac_address', v.string('mac_address'));
  put('network_mode', v.string('network_mode'));
  put('networks', v.map('networks', networkConfig));
  put('oom_kill_disable', v.bool('oom_kill_disable'));
  put('oom_score_adj', v.int('oom_score_adj'));
  put('pid', v.string('pid'));
  put('pids_limit', v.int('pids_limit'));
  put('platform', v.string('platform'));
  put('ports', v.list('ports', port));
  put('privileged', v.bool('privileged'));
  // pull_policy and scale are left out of the hash by compose.
  put('read_only', v.bool('read_only'));
  put('restart', v.string('restart'));
  put('runtime', v.string('runtime'));
  put('security_opt', v.strings('security_opt'));
  put('shm_size', v.bytes('shm_size'));
  put('stdin_open', v.bool('stdin_open'));
  put('stop_grace_period', v.duration('stop_grace_period'));
  put('stop_signal', v.string('stop_signal'));
  put('storage_opt', v.stringMap('storage_opt'));
  put('sysctls', v.stringMap('sysctls'));
  put('tmpfs', v.strings('tmpfs'));
  put('tty', v.bool('tty'));
  put('ulimits', v.map('ulimits', ulimit));
  for (const k of ['user', 'userns_mode', 'uts', 'volume_driver']) put(k, v.string(k));
  put('volumes', v.list('volumes', volume));
  put('working_dir', v.string('working_dir'));
  if (typeof value.image !== 'string') unsupported.push('image (the service has none)');
  if (unsupported.length) return { ok: false, unsupported: [...new Set(unsupported)] };
  return {
    ok: true,
    model: {
      value,
      image: value.image as string,
      environment,
      labels,
      declares: {
        command: keys.get('command') != null,
        entrypoint: keys.get('entrypoint') != null,
        workingDir: value.working_dir !== undefined,
        user: value.user !== undefined,
        healthcheck: value.healthcheck !== undefined,
        stopSignal: value.stop_signal !== undefined,
        hostname: value.hostname !== undefined,
        domainname: value.domainname !== undefined,
        macAddress:
          value.mac_address !== undefined ||
          [...((keys.get('networks') as Map<string, Record<string, unknown> | null>) ?? [])].some(
            ([, n]) => n?.mac_address !== undefined,
          ),
      },
      exposedPorts: exposed(keys),
    },
  };
}

/**
 * What compose adds while loading: the default network. A `service:` reference (network, ipc, pid…)
 * is hashed by compose with the other container's id, which is not read here.
 */
function normalize(keys: Map<string, unknown>, unsupported: string[]): void {
  const networks = keys.get('networks') as Map<string, unknown> | undefined;
  if (!keys.has('network_mode') && (!networks || networks.size === 0))
    keys.set('networks', new Map([['default', null]]));
  for (const mode of ['network_mode', 'ipc', 'pid', 'uts', 'cgroup']) {
    const ref = keys.get(mode);
    if (typeof ref === 'string' && ref.startsWith('service:')) unsupported.push(`${mode} (${ref})`);
  }
}

function resolveEnvironment(
  keys: Map<string, unknown>,
  env: ReadonlyMap<string, string>,
  envFileTexts: ReadonlyMap<string, string | null>,
  unsupported: string[],
): Map<string, string | null> {
  const own = new Map((keys.get('environment') as Map<string, string | null> | undefined) ?? []);
  for (const [k, val] of own) if (val === null && env.has(k)) own.set(k, env.get(k)!);
  const fromFiles = new Map<string, string | null>();
  for (const file of (keys.get('env_file') as ServiceEnvFile[] | undefined) ?? []) {
    const text = envFileTexts.get(file.path);
    if (text === undefined || (text === null && file.required)) {
      unsupported.push(`env_file ${file.path} (not readable)`);
      continue;
    }
    if (text === null) continue;
    // Names from earlier env files come first, then the project environment.
    const environment = new Map(env);
    for (const [k, val] of fromFiles) if (val !== null) environment.set(k, val);
    for (const [k, val] of parseEnvFile(text, { path: file.path, environment }).entries)
      fromFiles.set(k, val);
  }
  return new Map([...fromFiles, ...own]);
}

/** `ExposedPorts` keys as compose sets them: `expose:` entries as written, `ports:` targets with their protocol. */
function exposed(keys: Map<string, unknown>): string[] {
  const out = new Set<string>(((keys.get('expose') as unknown[] | undefined) ?? []).map(goString));
  for (const p of (keys.get('ports') as PortEntry[] | undefined) ?? [])
    out.add(`${p.target}/${p.protocol ?? 'tcp'}`);
  return [...out];
}

/** Typed reads of canonical values, noting any that compose would read another way. */
class Values {
  constructor(
    private readonly keys: Map<string, unknown>,
    private readonly unsupported: string[],
  ) {}

  raw(key: string): unknown {
    return this.keys.get(key) ?? undefined;
  }

  string(key: string): string | undefined {
    const x = this.raw(key);
    if (x === undefined || x === null || x === '') return undefined;
    if (typeof x === 'string' || typeof x === 'number') return String(x);
    this.unsupported.push(key);
    return undefined;
  }

  strings(key: string): string[] | undefined {
    const x = this.raw(key);
    if (x === undefined || x === null) return undefined;
    if (!Array.isArray(x)) return this.bad(key);
    return x.length ? x.map(goString) : undefined;
  }

  int(key: string, from: unknown = this.raw(key)): number | undefined {
    if (from === undefined || from === null) return undefined;
    const n = typeof from === 'string' && /^-?\d+$/.test(from) ? Number(from) : from;
    if (typeof n !== 'number' || !Number.isInteger(n)) return this.bad(key);
    return n === 0 ? undefined : n;
  }

  float32(key: string, from: unknown = this.raw(key)): GoFloat32 | undefined {
    if (from === undefined || from === null) return undefined;
    const n = typeof from === 'string' && from.trim() !== '' ? Number(from) : from;
    if (typeof n !== 'number' || Number.isNaN(n)) return this.bad(key);
    return n === 0 ? undefined : new GoFloat32(n);
  }

  /** A Go bool; `pointer` for `*bool` fields, which are written even when false. */
  bool(key: string, pointer = false, from: unknown = this.raw(key)): boolean | undefined {
    if (from === undefined || from === null) return undefined;
    const b = from === 'true' ? true : from === 'false' ? false : from;
    if (typeof b !== 'boolean') return this.bad(key);
    return b || pointer ? b : undefined;
  }

  /** Compose's byte sizes are written as quoted decimal strings. */
  bytes(key: string, from: unknown = this.raw(key)): string | undefined {
    if (from === undefined || from === null) return undefined;
    const n = parseRamBytes(from as string | number);
    if (n === null) return this.bad(key);
    return n === 0 ? undefined : String(n);
  }

  duration(key: string, from: unknown = this.raw(key)): string | undefined {
    if (from === undefined || from === null) return undefined;
    const ns = parseGoDuration(goString(from));
    if (ns === null) return this.bad(key);
    return formatGoDuration(ns);
  }

  stringMap(key: string, from: unknown = this.raw(key)): Map<string, string> | undefined {
    if (from === undefined || from === null) return undefined;
    if (!(from instanceof Map)) return this.bad(key);
    return from.size ? new Map([...from].map(([k, x]) => [k, x ?? ''])) : undefined;
  }

  map(
    key: string,
    convert: (x: unknown, v: Values, at: string) => GoValue | undefined,
  ): Map<string, GoValue> | undefined {
    const x = this.raw(key);
    if (x === undefined || x === null) return undefined;
    if (!(x instanceof Map)) return this.bad(key);
    const out = new Map<string, GoValue>();
    for (const [k, item] of x) out.set(k, convert(item, this, `${key}.${k}`) ?? null);
    return out.size ? out : undefined;
  }

  list(
    key: string,
    convert: (x: unknown, v: Values, at: string) => GoValue | undefined,
  ): GoValue[] | undefined {
    const x = this.raw(key);
    if (x === undefined || x === null) return undefined;
    if (!Array.isArray(x)) return this.bad(key);
    const out = x.map((item, i) => convert(item, this, `${key}[${i}]`) ?? null);
    return out.length ? out : undefined;
  }

  /** Builds a Go struct from `fields` in order, refusing any key of `x` not among them. */
  struct(
    at: string,
    x: unknown,
    fields: [string, (value: unknown) => GoValue | undefined][],
  ): Record<string, GoValue> {
    const out: Record<string, GoValue> = {};
    if (!isRecord(x)) {
      this.unsupported.push(at);
      return out;
    }
    const known = new Set(fields.map(([f]) => f));
    for (const k of Object.keys(x))
      if (!known.has(k) && !k.startsWith('x-')) this.unsupported.push(`${at}.${k}`);
    for (const [f, convert] of fields) {
      const value = convert(x[f]);
      if (value !== undefined) out[f] = value;
    }
    return out;
  }

  healthcheck(): Record<string, GoValue> | undefined {
    const x = this.raw('healthcheck');
    if (x === undefined || x === null) return undefined;
    const at = 'healthcheck';
    return this.struct(at, x, [
      ['test', (t) => (Array.isArray(t) && t.length ? t.map(goString) : undefined)],
      ['timeout', (d) => this.duration(`${at}.timeout`, d)],
      ['interval', (d) => this.duration(`${at}.interval`, d)],
      ['retries', (n) => (n === undefined || n === null ? undefined : (this.int(`${at}.retries`, n) ?? 0))],
      ['start_period', (d) => this.duration(`${at}.start_period`, d)],
      ['start_interval', (d) => this.duration(`${at}.start_interval`, d)],
      ['disable', (b) => this.bool(`${at}.disable`, false, b)],
    ]);
  }

  logging(): Record<string, GoValue> | undefined {
    const x = this.raw('logging');
    if (x === undefined || x === null) return undefined;
    return this.struct('logging', x, [
      ['driver', (d) => (d ? goString(d) : undefined)],
      ['options', (o) => this.stringMap('logging.options', o)],
    ]);
  }

  hosts(): string[] | undefined {
    const x = this.raw('extra_hosts') as string[] | undefined;
    if (!x?.length) return undefined;
    const hosts = new Map<string, string[]>();
    for (const entry of x) {
      const sep = entry.includes('=') ? '=' : ':';
      const i = entry.indexOf(sep);
      if (i <= 0) return this.bad('extra_hosts');
      const ips = entry
        .slice(i + 1)
        .split(',')
        .map((ip) => (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip));
      hosts.set(entry.slice(0, i), [...(hosts.get(entry.slice(0, i)) ?? []), ...ips]);
    }
    return [...hosts].flatMap(([h, ips]) => ips.map((ip) => `${h}=${ip}`)).sort();
  }

  deploy(): Record<string, GoValue> | undefined {
    const x = this.raw('deploy');
    if (x === undefined || x === null) return undefined;
    const resource = (at: string) => (r: unknown) =>
      r === undefined || r === null
        ? undefined
        : this.struct(at, r, [
            ['cpus', (c) => this.float32(`${at}.cpus`, c)],
            ['memory', (m) => this.bytes(`${at}.memory`, m)],
            ['pids', (p) => this.int(`${at}.pids`, p)],
          ]);
    const out = this.struct('deploy', x, [
      ['mode', (m) => (m ? goString(m) : undefined)],
      ['replicas', () => undefined], // compose leaves the replica count out of the hash
      ['labels', (l) => this.stringMap('deploy.labels', l === undefined ? undefined : mappingOf(l))],
      [
        'resources',
        // A Go struct field, not a pointer: written even when empty.
        (r) =>
          this.struct('deploy.resources', r ?? {}, [
            ['limits', resource('deploy.resources.limits')],
            ['reservations', resource('deploy.resources.reservations')],
          ]),
      ],
    ]);
    return { ...out, placement: {} };
  }

  bad(key: string): undefined {
    this.unsupported.push(key);
    return undefined;
  }
}

function mappingOf(x: unknown): Map<string, string> {
  if (x instanceof Map) return x as Map<string, string>;
  if (Array.isArray(x)) {
    return new Map(
      x.map((e) => goString(e).split('=', 2) as [string, string]).map(([k, val]) => [k, val ?? '']),
    );
  }
  return new Map(
    Object.entries(isRecord(x) ? x : {}).map(([k, val]) => [k, val == null ? '' : goString(val)]),
  );
}

function dependency(x: unknown, v: Values, at: string): GoValue | undefined {
  return v.struct(at, x, [
    ['condition', (c) => (c ? goString(c) : undefined)],
    ['restart', (b) => v.bool(`${at}.restart`, false, b)],
    ['required', (b) => v.bool(`${at}.required`, true, b) ?? true],
  ]);
}

function networkConfig(x: unknown, v: Values, at: string): GoValue | undefined {
  if (x === null || x === undefined) return null;
  const strings = (s: unknown) => (Array.isArray(s) && s.length ? s.map(goString) : undefined);
  return v.struct(at, x, [
    ['priority', (n) => v.int(`${at}.priority`, n)],
    ['gw_priority', (n) => v.int(`${at}.gw_priority`, n)],
    ['aliases', strings],
    ['ipv4_address', (s) => (s ? goString(s) : undefined)],
    ['ipv6_address', (s) => (s ? goString(s) : undefined)],
    ['link_local_ips', strings],
    ['mac_address', (s) => (s ? goString(s) : undefined)],
    ['driver_opts', (o) => v.stringMap(`${at}.driver_opts`, o === undefined ? undefined : mappingOf(o))],
  ]);
}

function ulimit(x: unknown, v: Values, at: string): GoValue | undefined {
  if (typeof x === 'number' || typeof x === 'string') return v.int(at, x) ?? {};
  return v.struct(at, x, [
    ['soft', (n) => v.int(`${at}.soft`, n)],
    ['hard', (n) => v.int(`${at}.hard`, n)],
  ]);
}

function port(x: unknown, v: Values, at: string): GoValue | undefined {
  const p = x as PortEntry;
  const s = (s: unknown) => (s === undefined || s === null || s === '' ? undefined : goString(s));
  return v.struct(at, p, [
    ['name', s],
    ['mode', s],
    ['host_ip', s],
    ['target', (n) => v.int(`${at}.target`, n)],
    ['published', s],
    ['protocol', s],
    ['app_protocol', s],
  ]);
}

function volume(x: unknown, v: Values, at: string): GoValue | undefined {
  const vol = x as VolumeEntry;
  const s = (s: unknown) => (s === undefined || s === null || s === '' ? undefined : goString(s));
  return v.struct(at, vol, [
    ['type', s],
    ['source', s],
    ['target', s],
    ['read_only', (b) => v.bool(`${at}.read_only`, false, b)],
    ['consistency', s],
    [
      'bind',
      (b) =>
        b === undefined || b === null
          ? undefined
          : v.struct(`${at}.bind`, b, [
              ['selinux', s],
              ['propagation', s],
              ['create_host_path', (c) => v.bool(`${at}.bind.create_host_path`, false, c)],
              ['recursive', s],
            ]),
    ],
    [
      'volume',
      (o) =>
        o === undefined || o === null
          ? undefined
          : v.struct(`${at}.volume`, o, [
              ['nocopy', (c) => v.bool(`${at}.volume.nocopy`, false, c)],
              ['subpath', s],
            ]),
    ],
    [
      'tmpfs',
      (t) =>
        t === undefined || t === null
          ? undefined
          : v.struct(`${at}.tmpfs`, t, [
              ['size', (n) => v.bytes(`${at}.tmpfs.size`, n)],
              ['mode', (n) => v.int(`${at}.tmpfs.mode`, n)],
            ]),
    ],
  ]);
}
