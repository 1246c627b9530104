import { describe, expect, it } from 'vitest';
import { parsePortSpec } from '../../../src/compose/compose-ports';
import { cleanTarget, parseVolumeSpec } from '../../../src/compose/compose-volumes';
import { parseShellWords } from '../../../src/compose/shell-words';

describe('short port syntax', () => {
  it('reads host address, host port, container port and protocol', () => {
    expect(parsePortSpec('127.0.0.1:8080:4000')).toEqual([
      { mode: 'ingress', host_ip: '127.0.0.1', target: 4000, published: '8080', protocol: 'tcp' },
    ]);
    expect(parsePortSpec(4000)).toEqual([{ mode: 'ingress', target: 4000, protocol: 'tcp' }]);
    expect(parsePortSpec('53:53/UDP')).toEqual([
      { mode: 'ingress', target: 53, published: '53', protocol: 'udp' },
    ]);
    expect(parsePortSpec('[::1]:8080:80')).toEqual([
      { mode: 'ingress', host_ip: '::1', target: 80, published: '8080', protocol: 'tcp' },
    ]);
  });

  it('splits ranges into one entry per port, in the order compose sorts them (as text)', () => {
    expect(parsePortSpec('9998-10001:9998-10001')?.map((p) => [p.target, p.published])).toEqual([
      [10000, '10000'],
      [10001, '10001'],
      [9998, '9998'],
      [9999, '9999'],
    ]);
    // A host range for one container port is the range docker picks a free port from.
    expect(parsePortSpec('8000-8010:80')).toEqual([
      { mode: 'ingress', target: 80, published: '8000-8010', protocol: 'tcp' },
    ]);
  });

  it('refuses what docker refuses', () => {
    for (const bad of ['http', '70000', '80:90:100:x', '1-3:1-2', '80/icmp', ''])
      expect(parsePortSpec(bad), bad).toBeNull();
  });
});

describe('short volume syntax', () => {
  it('tells anonymous, named and bind mounts apart and reads the options', () => {
    expect(parseVolumeSpec('/app/cache/')).toEqual({ type: 'volume', target: '/app/cache', volume: {} });
    expect(parseVolumeSpec('data:/var/lib/data:nocopy')).toEqual({
      type: 'volume',
      source: 'data',
      target: '/var/lib/data',
      volume: { nocopy: true },
    });
    expect(parseVolumeSpec('./conf:/etc/app:ro,z,rshared')).toEqual({
      type: 'bind',
      source: './conf',
      target: '/etc/app',
      read_only: true,
      bind: { selinux: 'z', propagation: 'rshared', create_host_path: true },
    });
    expect(parseVolumeSpec('/srv:/srv:rw')).toEqual({
      type: 'bind',
      source: '/srv',
      target: '/srv',
      bind: { create_host_path: true },
    });
  });

  it('refuses empty sections and extra colons, and cleans targets as Go path.Clean does', () => {
    expect(parseVolumeSpec('a::b')).toBeNull();
    expect(parseVolumeSpec('a:b:ro:x')).toBeNull();
    expect(cleanTarget('/a//b/../c/')).toBe('/a/c');
    expect(cleanTarget('/')).toBe('/');
  });
});

describe('command strings', () => {
  it('splits words with shell quoting and no expansion', () => {
    expect(parseShellWords(`sleep "infinity  x" 'a b' c\\ d $HOME`)).toEqual([
      'sleep',
      'infinity  x',
      'a b',
      'c d',
      '$HOME',
    ]);
    expect(parseShellWords('sh -c "echo \\"hi\\" && exit 1"')).toEqual(['sh', '-c', 'echo "hi" && exit 1']);
    expect(parseShellWords(`  ''  x `)).toEqual(['', 'x']);
    expect(parseShellWords('')).toEqual([]);
  });

  it('gives up where compose would cut the command or fail', () => {
    expect(parseShellWords('echo a && echo b')).toBeNull();
    expect(parseShellWords('echo "open')).toBeNull();
    expect(parseShellWords('trailing\\')).toBeNull();
  });
});
