/** A published port in compose's long form (the short `host:container` strings are read into it). */
export interface PortEntry {
  name?: string;
  mode?: string;
  host_ip?: string;
  target?: number;
  published?: string;
  protocol?: string;
  app_protocol?: string;
}

/**
 * Reads one short port entry (`3000`, `8080:80`, `127.0.0.1:8080:80/udp`, `9000-9001:80-81`) into the
 * long form, one entry per container port, as docker's port-spec parser and compose order them. Null
 * when docker would reject the spec.
 */
export function parsePortSpec(spec: string | number): PortEntry[] | null {
  let raw = String(spec);
  let protocol = 'tcp';
  const slash = raw.lastIndexOf('/');
  if (slash !== -1) {
    protocol = raw.slice(slash + 1).toLowerCase();
    raw = raw.slice(0, slash);
    if (!['tcp', 'udp', 'sctp'].includes(protocol)) return null;
  }
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1]!;
  const [ip, host] =
    n === 1 ? ['', ''] : n === 2 ? ['', parts[0]!] : [parts.slice(0, n - 2).join(':'), parts[n - 2]!];
  const hostIp = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const containerRange = portRange(container);
  if (!containerRange) return null;
  const hostRange = host === '' ? null : portRange(host);
  if (host !== '' && !hostRange) return null;
  const [start, end] = containerRange;
  const count = end - start + 1;
  if (hostRange && hostRange[1] - hostRange[0] + 1 !== count && count !== 1) return null;
  const entries: { key: string; entry: PortEntry }[] = [];
  for (let i = 0; i < count; i++) {
    let published = '';
    if (hostRange) {
      const hostCount = hostRange[1] - hostRange[0] + 1;
      published = count === 1 && hostCount > 1 ? `${hostRange[0]}-${hostRange[1]}` : String(hostRange[0] + i);
    }
    const target = start + i;
    entries.push({
      key: `${target}/${protocol}`,
      entry: {
        mode: 'ingress',
        ...(hostIp ? { host_ip: hostIp } : {}),
        target,
        ...(published ? { published } : {}),
        protocol,
      },
    });
  }
  // docker returns the ports as a map; compose sorts its keys as strings.
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => e.entry);
}

function portRange(text: string): [number, number] | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return null;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return null;
  return [start, end];
}

/** The key compose de-duplicates port entries by (a later file's same port replaces the earlier). */
export function portKey(p: PortEntry): string {
  return `${p.host_ip ?? '0.0.0.0'}:${p.published ?? '%!s(<nil>)'}:${p.target}/${p.protocol ?? 'tcp'}`;
}
