import { posix } from 'node:path';

/** A service volume in compose's long form (short `source:target:mode` strings are read into it). */
export interface VolumeEntry {
  type?: string;
  source?: string;
  target?: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { selinux?: string; propagation?: string; create_host_path?: boolean; recursive?: string };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number | string; mode?: number };
}

const PROPAGATIONS = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'];

/**
 * Reads a short volume entry (`/data`, `name:/data`, `./dir:/data:ro,z`) the way compose does: a source
 * that starts with `.`, `/` or `~` is a bind mount (created on the host when missing), anything else
 * a named volume, no source an anonymous volume. Null when compose would reject the spec.
 */
export function parseVolumeSpec(spec: string): VolumeEntry | null {
  if (spec.length === 0) return null;
  if (spec.length <= 2) return { type: 'volume', target: spec };
  const fields = spec.split(':');
  if (fields.some((f) => f === '') || fields.length > 3) return null;
  const volume: VolumeEntry = {};
  if (fields.length === 1) volume.target = fields[0];
  else {
    volume.source = fields[0];
    volume.target = fields[1];
  }
  for (const option of fields.length === 3 ? fields[2]!.split(',') : []) {
    if (option === 'ro') volume.read_only = true;
    else if (option === 'rw') volume.read_only = false;
    else if (option === 'nocopy') volume.volume = { nocopy: true };
    else if (option === 'z' || option === 'Z') volume.bind = { ...volume.bind, selinux: option };
    else if (PROPAGATIONS.includes(option)) volume.bind = { ...volume.bind, propagation: option };
  }
  if (volume.read_only === false) delete volume.read_only;
  if (isFilePath(volume.source)) {
    volume.type = 'bind';
    volume.bind = { ...volume.bind, create_host_path: true };
  } else {
    volume.type = 'volume';
    volume.volume ??= {};
  }
  volume.target = cleanTarget(volume.target!);
  return volume;
}

function isFilePath(source: string | undefined): boolean {
  return source !== undefined && /^[./~]/.test(source);
}

/** Go's `path.Clean` of a mount target. */
export function cleanTarget(target: string): string {
  if (target === '') return '';
  const cleaned = posix.normalize(target);
  return cleaned.length > 1 ? cleaned.replace(/\/+$/, '') : cleaned;
}
