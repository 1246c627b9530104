import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rehearsalCompose } from '../../../src/rehearse/rehearsal-compose';

const STOCK = `# Engram, self-hosted
name: engram
services:
  engram:
    image: ghcr.io/engram-page/engram:\${ENGRAM_TAG}  # pinned by the operator
    container_name: engram-app
    env_file: .env
    ports:
      - "4000:4000"
    volumes:
      - ./config/extra.exs:/app/extra.exs:ro
  postgres:
    image: postgres:18.4
    env_file: [.env, db.env]
    volumes:
      - pg_data:/var/lib/postgresql
volumes:
  pg_data:
`;

describe('rehearsalCompose', () => {
  it('drops published ports, fixed names and the project name; keeps comments, images, volumes and env files', () => {
    const out = rehearsalCompose('/srv/engram/compose.yaml', STOCK);
    const doc = parse(out.text);
    expect(doc.name).toBeUndefined();
    expect(doc.services.engram.ports).toBeUndefined();
    expect(doc.services.engram.container_name).toBeUndefined();
    expect(doc.services.engram.image).toBe('ghcr.io/engram-page/engram:${ENGRAM_TAG}');
    expect(doc.services.postgres.volumes).toEqual(['pg_data:/var/lib/postgresql']);
    expect(out.text).toContain('# pinned by the operator');
    expect(out.envFiles).toEqual(['.env', '.env', 'db.env']);
    expect(out.changes.join('\n')).toMatch(/engram: published ports dropped/);
  });

  it.each([
    [
      'a writable bind mount',
      STOCK.replace('./config/extra.exs:/app/extra.exs:ro', './uploads:/app/uploads'),
      /host path \.\/uploads writable/,
    ],
    ['an external volume', `${STOCK}    external: true\n`, /volume pg_data is external/],
    ['a volume with a fixed name', `${STOCK}    name: engram_pg\n`, /fixed name \(engram_pg\)/],
    [
      'a long-form bind mount',
      STOCK.replace(
        '- ./config/extra.exs:/app/extra.exs:ro',
        '- { type: bind, source: /srv/data, target: /data }',
      ),
      /host path \/srv\/data writable/,
    ],
    [
      'a named volume that is a host directory',
      STOCK.replace(
        '  pg_data:\n',
        '  pg_data:\n    driver_opts: { type: none, o: bind, device: /srv/engram/pgdata }\n',
      ),
      /driver options/,
    ],
    [
      'a bind mount behind a merge key',
      `x-db: &db\n  volumes:\n    - /srv/engram/pgdata:/var/lib/postgresql\n${STOCK.replace('  postgres:\n    image: postgres:18.4\n    env_file: [.env, db.env]\n    volumes:\n      - pg_data:/var/lib/postgresql\n', '  postgres:\n    <<: *db\n    image: postgres:18.4\n')}`,
      /host path \/srv\/engram\/pgdata writable/,
    ],
    [
      'volumes_from',
      STOCK.replace('    container_name: engram-app\n', '    volumes_from: [postgres]\n'),
      /volumes_from/,
    ],
    [
      'network_mode: host',
      STOCK.replace('    container_name: engram-app\n', '    network_mode: host\n'),
      /network_mode with host/,
    ],
    [
      'extends from another file',
      STOCK.replace('    container_name: engram-app\n', '    extends: { file: base.yaml, service: app }\n'),
      /extends a service of another file/,
    ],
  ])('refuses %s, which the copy would share with the real deployment', (_what, text, message) => {
    expect(() => rehearsalCompose('/srv/engram/compose.yaml', text)).toThrow(message);
  });
});
