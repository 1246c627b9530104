import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { UpgradeError } from '../errors';

/** A compose file rewritten for a throwaway copy of its project, and what was changed. */
export interface RehearsalCompose {
  text: string;
  /** For a person: what the copy does differently (ports dropped, names freed). */
  changes: string[];
  /** `env_file` entries the services read, as written (relative to the project directory). */
  envFiles: string[];
}

function refuse(file: string, why: string): UpgradeError {
  return new UpgradeError('INVALID_INPUT', {
    message: `The compose file ${file} cannot be rehearsed on a copy: ${why}`,
    unchanged: 'Nothing was changed; no rehearsal stack was started',
    hint: 'Rehearse by hand on a staging copy, or move that data into a named volume of the project',
  });
}

/** A short-form volume `source:target[:mode]` whose source is a host path, not a named volume. */
function bindOf(entry: unknown): { source: string; readOnly: boolean } | null {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    if (parts.length < 2) return null; // an anonymous volume: the copy gets its own
    const source = parts[0]!;
    if (!/^[./~]/.test(source) && !source.startsWith('$')) return null;
    return { source, readOnly: (parts[2] ?? '').split(',').includes('ro') };
  }
  if (entry && typeof entry === 'object') {
    const v = entry as { type?: string; source?: string; read_only?: boolean };
    if (v.type !== 'bind') return null;
    return { source: v.source ?? '', readOnly: v.read_only === true };
  }
  return null;
}

/**
 * Rewrites one compose file so a copy of its project can run beside the real one: published ports
 * and fixed container names are dropped (they would clash), and anything the copy would share with the
 * real deployment is refused: a writable bind mount, an external or fixed-name volume or network.
 * Named volumes and networks are scoped by the copy's own project name. Comments are kept. Pure.
 */
export function rehearsalCompose(file: string, text: string): RehearsalCompose {
  // Merge keys (`<<: *db`) are applied as compose applies them, so nothing hides behind one.
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length) throw refuse(file, `it is not valid YAML (${doc.errors[0]!.message})`);
  const root = doc.toJS() as Record<string, unknown> | null;
  if (!root || typeof root !== 'object') throw refuse(file, 'it holds no services');
  const changes: string[] = [];
  const envFiles: string[] = [];
  if ('include' in root) throw refuse(file, 'it includes other compose files (include:)');
  if (doc.has('name')) {
    doc.delete('name');
    changes.push('the project name is the rehearsal’s own');
  }
  for (const [kind, label] of [
    ['volumes', 'volume'],
    ['networks', 'network'],
  ] as const) {
    const top = root[kind] as Record<string, { external?: unknown; name?: unknown } | null> | undefined;
    for (const [name, spec] of Object.entries(top ?? {})) {
      if (spec?.external) throw refuse(file, `the ${label} ${name} is external, so the copy would share it`);
      if (spec?.name)
        throw refuse(
          file,
          `the ${label} ${name} has a fixed name (${String(spec.name)}), so the copy would share it`,
        );
      const driven = spec as { driver?: unknown; driver_opts?: unknown } | null;
      if (
        (driven?.driver && driven.driver !== 'local' && driven.driver !== 'bridge') ||
        driven?.driver_opts
      ) {
        throw refuse(
          file,
          `the ${label} ${name} has its own driver or driver options (a host directory or a remote share), so the copy could reach the real data`,
        );
      }
    }
  }
  const services = doc.get('services');
  if (!isMap(services)) throw refuse(file, 'it holds no services');
  for (const pair of (services as YAMLMap).items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const svc = pair.value;
    if (!isMap(svc)) continue;
    if (svc.has('ports')) {
      svc.delete('ports');
      changes.push(`${name}: published ports dropped (the rehearsal is reached through docker exec)`);
    }
    if (svc.has('container_name')) {
      svc.delete('container_name');
      changes.push(`${name}: fixed container name dropped`);
    }
    const plain = svc.toJS(doc) as {
      volumes?: unknown[];
      env_file?: unknown;
      volumes_from?: unknown;
      extends?: unknown;
      network_mode?: unknown;
      ipc?: unknown;
      pid?: unknown;
    };
    if (plain.volumes_from) throw refuse(file, `${name} mounts another container's volumes (volumes_from)`);
    if (plain.extends && typeof plain.extends === 'object' && 'file' in plain.extends) {
      throw refuse(file, `${name} extends a service of another file, which the copy would not rewrite`);
    }
    for (const key of ['network_mode', 'ipc', 'pid'] as const) {
      const v = plain[key];
      if (typeof v === 'string' && (v === 'host' || v.startsWith('container:') || v.startsWith('service:'))) {
        throw refuse(file, `${name} shares ${key} with ${v}, which the copy would share too`);
      }
    }
    for (const v of plain.volumes ?? []) {
      const bind = bindOf(v);
      if (bind && !bind.readOnly) {
        throw refuse(
          file,
          `${name} mounts the host path ${bind.source} writable, so the copy would change the real data`,
        );
      }
    }
    const env = plain.env_file;
    for (const e of Array.isArray(env) ? env : env === undefined ? [] : [env]) {
      const path = typeof e === 'string' ? e : (e as { path?: string }).path;
      if (path) envFiles.push(path);
    }
  }
  return { text: doc.toString(), changes, envFiles };
}
