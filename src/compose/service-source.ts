import { posix } from 'node:path';
import { type PortEntry, parsePortSpec, portKey } from './compose-ports';
import { parseVolumeSpec, type VolumeEntry } from './compose-volumes';
import { fileLabel, readComposeYaml } from './compose-yaml';
import { interpolate, type Lookup } from './interpolate';
import type { ComposeFile } from './locate-image';
import { parseShellWords } from './shell-words';

/**
 * One service of a compose project in canonical form: every file read, interpolated and merged the
 * way compose merges `-f a.yml -f b.yml`, short syntaxes read into long ones. Keys compose knows but
 * this reader does not are listed in `unsupported` rather than guessed at.
 */
export interface ServiceSource {
  /** Canonical values by compose key; maps are `Map`s. */
  keys: Map<string, unknown>;
  /** Keys (or `key.sub`) whose meaning is not reproduced here. */
  unsupported: string[];
}

/** Keys read as they are written: scalars, lists of scalars and nested mappings. */
const PLAIN = new Set([
  'attach',
  'cap_add',
  'cap_drop',
  'cgroup',
  'cgroup_parent',
  'container_name',
  'cpu_count',
  'cpu_percent',
  'cpu_period',
  'cpu_quota',
  'cpu_rt_period',
  'cpu_rt_runtime',
  'cpu_shares',
  'cpus',
  'cpuset',
  'deploy',
  'device_cgroup_rules',
  'dns_opt',
  'domainname',
  'expose',
  'external_links',
  'group_add',
  'hostname',
  'image',
  'init',
  'ipc',
  'isolation',
  'mac_address',
  'mem_limit',
  'mem_reservation',
  'mem_swappiness',
  'memswap_limit',
  'network_mode',
  'oom_kill_disable',
  'oom_score_adj',
  'pid',
  'pids_limit',
  'platform',
  'privileged',
  'profiles',
  'pull_policy',
  'read_only',
  'restart',
  'runtime',
  'scale',
  'security_opt',
  'shm_size',
  'stdin_open',
  'stop_grace_period',
  'stop_signal',
  'tty',
  'user',
  'userns_mode',
  'uts',
  'volume_driver',
  'working_dir',
]);

/** Keys whose lists compose de-duplicates (a repeated entry replaces the earlier one in place). */
const UNIQUE_LISTS = new Set([
  'cap_add',
  'cap_drop',
  'dns',
  'dns_opt',
  'dns_search',
  'expose',
  'profiles',
  'tmpfs',
]);

/**
 * Reads `service` from the project's compose files. `lookup` gives the variables compose interpolates
 * with; `workingDir` is the project directory relative bind mounts and env files are resolved against.
 */
export function readServiceSource(
  files: readonly ComposeFile[],
  service: string,
  lookup: Lookup,
  workingDir: string,
): ServiceSource {
  const unsupported: string[] = [];
  let merged = new Map<string, unknown>();
  for (const file of files) {
    if (/!(reset|override)\b/.test(file.text))
      unsupported.push(`${fileLabel(file.path)}: !reset / !override`);
    const doc = readComposeYaml(file.text, file.path).toJS({ maxAliasCount: 1000 }) as unknown;
    const raw = (doc as { services?: Record<string, unknown> } | null)?.services?.[service];
    if (raw === undefined) continue;
    const body = raw === null ? {} : raw;
    if (!isRecord(body)) {
      unsupported.push(`${fileLabel(file.path)}: service "${service}" is not a mapping`);
      continue;
    }
    const values = interpolateAll(body, lookup) as Record<string, unknown>;
    merged = mergeService(merged, canonical(values, workingDir, unsupported));
  }
  return { keys: merged, unsupported: [...new Set(unsupported)] };
}

function canonical(
  raw: Record<string, unknown>,
  workingDir: string,
  unsupported: string[],
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('x-')) continue; // extensions are not part of the service's configuration
    if (PLAIN.has(key)) out.set(key, value);
    else if (key === 'environment') out.set(key, mapping(value, null));
    else if (key === 'labels') out.set(key, mapping(value, ''));
    else if (key === 'sysctls' || key === 'storage_opt') out.set(key, mapping(value, ''));
    else if (key === 'dns' || key === 'dns_search' || key === 'tmpfs') out.set(key, stringOrList(value));
    else if (key === 'command' || key === 'entrypoint') out.set(key, shellCommand(value, key, unsupported));
    else if (key === 'env_file') out.set(key, envFiles(value, workingDir, unsupported));
    else if (key === 'ports') out.set(key, ports(value, unsupported));
    else if (key === 'volumes') out.set(key, volumes(value, workingDir, unsupported));
    else if (key === 'networks') out.set(key, networks(value));
    else if (key === 'depends_on') out.set(key, dependsOn(value));
    else if (key === 'healthcheck') out.set(key, healthcheck(value));
    else if (key === 'logging')
      out.set(key, isRecord(value) ? { ...value, options: mapping(value.options, '') } : value);
    else if (key === 'ulimits') out.set(key, new Map(Object.entries(isRecord(value) ? value : {})));
    else if (key === 'extra_hosts') out.set(key, extraHosts(value));
    else unsupported.push(key);
  }
  return out;
}

/** A `KEY: value` mapping or a `KEY=value` list as a `Map`; a key with no value gets `empty`. */
export function mapping(value: unknown, empty: string | null): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = goString(item);
      const i = text.indexOf('=');
      out.set(i === -1 ? text : text.slice(0, i), i === -1 ? empty : text.slice(i + 1));
    }
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) out.set(k, v === null ? empty : goString(v));
  }
  return out;
}

function stringOrList(value: unknown): unknown[] {
  return typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
}

function shellCommand(value: unknown, key: string, unsupported: string[]): string[] | null {
  if (value === null) return null;
  if (typeof value === 'string') {
    const words = parseShellWords(value);
    if (words === null) unsupported.push(key);
    return words ?? [];
  }
  return Array.isArray(value) ? value.map(goString) : [];
}

function envFiles(value: unknown, workingDir: string, unsupported: string[]) {
  return stringOrList(value).map((e) => {
    const entry = typeof e === 'string' ? { path: e, required: true } : { required: true, ...(e as object) };
    const { path, required, ...rest } = entry as { path: string; required: unknown };
    if (Object.keys(rest).length) unsupported.push('env_file.format');
    if (path.startsWith('~')) unsupported.push('env_file (a path under ~)');
    return { path: posix.resolve(workingDir, path), required: required !== false && required !== 'false' };
  });
}

function ports(value: unknown, unsupported: string[]): PortEntry[] {
  const out: PortEntry[] = [];
  for (const p of Array.isArray(value) ? value : []) {
    if (typeof p === 'string' || typeof p === 'number') {
      const parsed = parsePortSpec(p);
      if (parsed) out.push(...parsed);
      else unsupported.push(`ports (${String(p)})`);
    } else if (isRecord(p)) {
      const entry = { ...p } as Record<string, unknown>;
      if (entry.published !== undefined && entry.published !== null)
        entry.published = goString(entry.published);
      if (typeof entry.target === 'string') entry.target = Number(entry.target);
      out.push({ protocol: 'tcp', mode: 'ingress', ...entry } as PortEntry);
    }
  }
  return unique(out, portKey);
}

function volumes(value: unknown, workingDir: string, unsupported: string[]): VolumeEntry[] {
  const out: VolumeEntry[] = [];
  for (const v of Array.isArray(value) ? value : []) {
    const entry = typeof v === 'string' ? parseVolumeSpec(v) : isRecord(v) ? ({ ...v } as VolumeEntry) : null;
    if (!entry) {
      unsupported.push(`volumes (${String(v)})`);
      continue;
    }
    if (entry.type === 'bind' && entry.source !== undefined) {
      if (entry.source.startsWith('~')) unsupported.push('volumes (a bind mount under ~)');
      else entry.source = posix.resolve(workingDir, entry.source);
    }
    out.push(entry);
  }
  return unique(out, (v) => v.target ?? '');
}

function networks(value: unknown): Map<string, Record<string, unknown> | null> {
  if (Array.isArray(value)) return new Map(value.map((n) => [goString(n), null]));
  return new Map(Object.entries(isRecord(value) ? value : {}).map(([k, v]) => [k, isRecord(v) ? v : null]));
}

function dependsOn(value: unknown): Map<string, Record<string, unknown>> {
  const started = () => ({ condition: 'service_started', required: true });
  if (Array.isArray(value)) return new Map(value.map((s) => [goString(s), started()]));
  return new Map(
    Object.entries(isRecord(value) ? value : {}).map(([k, v]) => [
      k,
      { ...started(), ...(isRecord(v) ? v : {}) },
    ]),
  );
}

function healthcheck(value: unknown): Record<string, unknown> {
  if (!isRecord(value)) return {};
  const test = value.test;
  return { ...value, ...(typeof test === 'string' ? { test: ['CMD-SHELL', test] } : {}) };
}

function extraHosts(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(goString);
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([host, ip]) =>
    (Array.isArray(ip) ? ip : [ip ?? '']).map((one) => `${host}=${goString(one)}`),
  );
}

/** Merges a later file's service into the earlier one's, with compose's rules for each key. */
function mergeService(base: Map<string, unknown>, over: Map<string, unknown>): Map<string, unknown> {
  const out = new Map(base);
  for (const [key, value] of over) {
    const before = out.get(key);
    if (before === undefined || value === null) out.set(key, value);
    else if (key === 'command' || key === 'entrypoint') out.set(key, value);
    else if (key === 'ports')
      out.set(key, unique([...(before as PortEntry[]), ...(value as PortEntry[])], portKey));
    else if (key === 'volumes')
      out.set(
        key,
        unique([...(before as VolumeEntry[]), ...(value as VolumeEntry[])], (v) => v.target ?? ''),
      );
    else if (key === 'env_file')
      out.set(
        key,
        unique([...(before as { path: string }[]), ...(value as { path: string }[])], (e) => e.path),
      );
    else if (key === 'extra_hosts')
      out.set(key, [
        ...(before as string[]),
        ...(value as string[]).filter((h) => !(before as string[]).includes(h)),
      ]);
    else if (key === 'logging') out.set(key, mergeLogging(before, value));
    else if (key === 'healthcheck') out.set(key, { ...(before as object), ...(value as object) });
    else out.set(key, mergeValues(before, value, UNIQUE_LISTS.has(key)));
  }
  return out;
}

function mergeLogging(before: unknown, value: unknown): unknown {
  const a = before as Record<string, unknown>;
  const b = value as Record<string, unknown>;
  if (a.driver !== undefined && b.driver !== undefined && a.driver !== b.driver) return b;
  return {
    ...a,
    ...b,
    options: new Map([
      ...((a.options as Map<string, unknown>) ?? []),
      ...((b.options as Map<string, unknown>) ?? []),
    ]),
  };
}

function mergeValues(a: unknown, b: unknown, dedupe: boolean): unknown {
  if (b === null || b === undefined) return a;
  if (a instanceof Map && b instanceof Map) {
    const out = new Map(a);
    for (const [k, v] of b)
      out.set(k, out.has(k) && v !== null ? mergeValues(out.get(k), v, k === 'aliases') : v);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) return dedupe ? unique([...a, ...b], goString) : [...a, ...b];
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeValues(out[k], v, k === 'aliases') : v;
    return out;
  }
  return b;
}

/** Keeps the first position of each key with the last value written for it, as compose does. */
function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  const out: T[] = [];
  const at = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    const i = at.get(k);
    if (i === undefined) {
      at.set(k, out.length);
      out.push(item);
    } else out[i] = item;
  }
  return out;
}

function interpolateAll(value: unknown, lookup: Lookup): unknown {
  if (typeof value === 'string') return interpolate(value, lookup);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, lookup));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, lookup)]));
  }
  return value;
}

/** A scalar as Go's `fmt.Sprint` writes it (compose reads numbers and booleans into strings so). */
export function goString(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);
}
