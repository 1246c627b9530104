import { stringify } from 'yaml';
import { OWNER_LABEL, TESTBED_LABEL } from './images';

export interface ComposeFileInput {
  engramImage: string;
  postgresImage: string;
  /** Where the Postgres volume is mounted (see `postgresDataMount`). */
  postgresDataMount: string;
  httpPort: number;
  postgresPort: number | undefined;
  healthcheck: { intervalS: number; startPeriodS: number; retries: number; startIntervalS?: number };
  /** Value of the owner label (`<hostname>:<pid>`). */
  owner: string;
  /** POSTGRES_DB and the database in DATABASE_URL. */
  database: string;
}

/**
 * The compose file of a throwaway deployment, shaped like Engram's own: `engram` with `env_file: .env`,
 * a curl healthcheck, `restart: unless-stopped` and a published port (on 127.0.0.1 only), and
 * `postgres` with a named volume. Unlike the stock file it names an `image:` (Engram's stock file
 * builds from source, which leaves nothing to pin).
 */
export function renderComposeFile(input: ComposeFileInput): string {
  const labels = { [TESTBED_LABEL]: 'true', [OWNER_LABEL]: input.owner };
  const hc = input.healthcheck;
  const doc = {
    services: {
      engram: {
        image: input.engramImage,
        env_file: ['.env'],
        environment: {
          DATABASE_URL: `ecto://engram:\${POSTGRES_PASSWORD}@postgres:5432/${input.database}`,
          PHX_HOST: 'localhost',
        },
        ports: [`127.0.0.1:${input.httpPort}:4000`],
        healthcheck: {
          test: ['CMD-SHELL', 'curl -sf http://localhost:4000/api/health || exit 1'],
          interval: `${hc.intervalS}s`,
          timeout: '5s',
          retries: hc.retries,
          start_period: `${hc.startPeriodS}s`,
          ...(hc.startIntervalS ? { start_interval: `${hc.startIntervalS}s` } : {}),
        },
        restart: 'unless-stopped',
        depends_on: { postgres: { condition: 'service_healthy' } },
        labels,
      },
      postgres: {
        image: input.postgresImage,
        environment: {
          POSTGRES_USER: 'engram',
          POSTGRES_PASSWORD: '${POSTGRES_PASSWORD}',
          POSTGRES_DB: input.database,
        },
        volumes: [`pg_data:${input.postgresDataMount}`],
        ...(input.postgresPort ? { ports: [`127.0.0.1:${input.postgresPort}:5432`] } : {}),
        healthcheck: {
          test: ['CMD-SHELL', 'pg_isready -U engram'],
          // Probed every 0.5 s until healthy (start_interval), then every 30 s: each probe is an exec
          // into the container, and a suite runs many stacks at once.
          interval: '30s',
          timeout: '5s',
          retries: 3,
          start_period: '60s',
          start_interval: '500ms',
        },
        restart: 'unless-stopped',
        labels,
      },
    },
    volumes: { pg_data: { labels } },
    networks: { default: { labels } },
  };
  return `# Throwaway Engram deployment made by engram-upgrade/testing.\n${stringify(doc)}`;
}
