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
  ])('refuses %s, which the copy would share with the real deployment', (_what, text, message) => {
    expect(() => rehearsalCompose('/srv/engram/compose.yaml', text)).toThrow(message);
  });
});
