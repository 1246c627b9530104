import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteEnvValue } from '../compose/env-quote';
import { DockerodeDocker } from '../docker/dockerode-docker';
import { InvalidInputError } from '../errors';
import { EngramStack, type StackSecrets } from './engram-stack';
import { freePort, portTaken } from './free-port';
import { postgresImage as defaultPostgresImage, engramRepository, ownerLabel } from './images';
import { loadTestcontainers, type Testcontainers } from './load-testcontainers';
import { postgresDataMount } from './postgres-volume';
import { renderComposeFile } from './stack-compose-file';
import { prepareStackImages } from './stack-images';
import { faultEnv, type StandinFaults } from './standin-faults';
import { harness, testbedError } from './testbed-error';

export interface StartEngramStackOptions {
  /** Engram version (image tag) to start. */
  version: string;
  /** Image repository. @default `<registry>/engram-app/engram` (see ENGRAM_UPGRADE_REGISTRY) */
  repository?: string;
  /** @default `<registry>/library/postgres:18` (see ENGRAM_UPGRADE_POSTGRES_IMAGE) */
  postgresImage?: string;
  /**
   * Where the Postgres volume is mounted. @default from the image's tag: `/var/lib/postgresql` for 18
   * and later or a tag without a major (like Engram's compose file), `/var/lib/postgresql/data` up to 17
   */
  postgresDataMount?: string;
  /**
   * The database name (POSTGRES_DB and the one in DATABASE_URL); letters, digits and `_` only.
   * @default 'engram'
   */
  database?: string;
  /** Compose project name. @default `engram-test-<random>` */
  projectName?: string;
  /**
   * Entries for the `.env` file, over the defaults (those of Engram's `.env.example` plus generated
   * secrets); `null` leaves a variable out entirely.
   */
  env?: Record<string, string | null>;
  /** Stand-in fault switches (test images only). */
  faults?: StandinFaults;
  /** Secrets to use instead of random ones (e.g. a canary password). */
  secrets?: Partial<StackSecrets>;
  /** Rows to seed once the app is healthy; `false` seeds nothing. @default { users: 3, notesPerUser: 10 } */
  seed?: { users: number; notesPerUser: number } | false;
  /** `healthy` waits for both healthchecks; `started` only for Postgres. @default 'healthy' */
  wait?: 'healthy' | 'started';
  /** Pull images before starting (from the registry) even when present locally. @default false */
  pull?: boolean;
  /** Publish Postgres on 127.0.0.1 so tests can connect from the host. @default true */
  publishPostgres?: boolean;
  /**
   * Healthcheck timing of the engram service. The default probes every second until the first success
   * (`startIntervalS`), then every 10 s, so that stacks left running cost little; an app that never
   * becomes healthy is judged unhealthy after 30 s + 10 s × 3.
   * @default { intervalS: 10, startPeriodS: 30, retries: 3, startIntervalS: 1 }
   */
  healthcheck?: { intervalS: number; startPeriodS: number; retries: number; startIntervalS?: number };
  /** @default 180000 */
  startupTimeoutMs?: number;
}

function randomSecret(bytes: number): string {
  return randomBytes(bytes).toString('base64');
}

function ensureTestcontainersEnv(): void {
  // The reaper image cannot be pulled on an offline test bed, and /.dockerenv misleads host detection.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
}

/**
 * Starts a throwaway Engram deployment the way `docker compose up -d` would: a compose project on disk
 * (compose.yaml + .env), a private network, Postgres with a named volume, and `engram` with its
 * healthcheck, restart policy and a port published on 127.0.0.1. Dispose the handle to remove it all.
 */
export async function startEngramStack(options: StartEngramStackOptions): Promise<EngramStack> {
  const database = options.database ?? 'engram';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new InvalidInputError({
      message: `database ${JSON.stringify(database)} is not a plain name`,
      hint: "Use letters, digits and '_' only",
    });
  }
  const testcontainers = await loadTestcontainers();
  ensureTestcontainersEnv();
  const docker = new DockerodeDocker();
  // Engine, images and fault switches are checked before anything is created.
  await prepareStackImages(docker, {
    engramImage: `${options.repository ?? engramRepository()}:${options.version}`,
    postgresImage: options.postgresImage ?? defaultPostgresImage(),
    pull: options.pull === true,
    faults: options.faults,
  });
  // A port found free can be taken by another process (a stack started by a test file running at the
  // same time, an outgoing connection) before compose publishes it: then the stack is removed and
  // started again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, docker, database, testcontainers);
    } catch (err) {
      if (attempt === 3 || !portTaken(err)) throw err;
    }
  }
}

async function startOnce(
  options: StartEngramStackOptions,
  docker: DockerodeDocker,
  database: string,
  { DockerComposeEnvironment, Wait }: Testcontainers,
): Promise<EngramStack> {
  const projectName = options.projectName ?? `engram-test-${randomBytes(4).toString('hex')}`;
  const secrets: StackSecrets = {
    postgresPassword: options.secrets?.postgresPassword ?? randomBytes(12).toString('hex'),
    masterKey: options.secrets?.masterKey ?? randomSecret(32),
    secretKeyBase: options.secrets?.secretKeyBase ?? randomSecret(48),
    jwtSecret: options.secrets?.jwtSecret ?? randomSecret(48),
  };
  const httpPort = await freePort();
  const postgresPort = options.publishPostgres === false ? undefined : await freePort();
  const engramImage = `${options.repository ?? engramRepository()}:${options.version}`;
  const postgresImage = options.postgresImage ?? defaultPostgresImage();
  const env: Record<string, string> = {
    POSTGRES_PASSWORD: secrets.postgresPassword,
    SECRET_KEY_BASE: secrets.secretKeyBase,
    JWT_SECRET: secrets.jwtSecret,
    ENCRYPTION_MASTER_KEY: secrets.masterKey,
    PHX_SCHEME: 'http',
    PHX_PORT: '4000',
    AUTH_PROVIDER: 'local',
    ENGRAM_DEFAULT_REGISTRATION_MODE: 'invite_only',
    KEY_PROVIDER: 'local',
    EMBED_BACKEND: 'ollama',
    EMBED_MODEL: 'nomic-embed-text',
    EMBED_DIMS: '768',
    STORAGE_BACKEND: 'database',
    ...faultEnv(options.faults),
  };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  // Quoted as compose reads them back exactly: a `$` in a password is not an interpolation.
  const envText = Object.entries(env)
    .map(([k, v]) => `${k}=${quoteEnvValue(v).text}`)
    .join('\n');
  const dir = await harness('write the compose project of a test stack', () => {
    const created = mkdtempSync(join(tmpdir(), `${projectName}-`));
    try {
      writeFileSync(
        join(created, 'compose.yaml'),
        renderComposeFile({
          engramImage,
          postgresImage,
          postgresDataMount: options.postgresDataMount ?? postgresDataMount(postgresImage),
          httpPort,
          postgresPort,
          healthcheck: options.healthcheck ?? {
            intervalS: 10,
            startPeriodS: 30,
            retries: 3,
            startIntervalS: 1,
          },
          owner: ownerLabel(),
          database,
        }),
      );
      writeFileSync(join(created, '.env'), `${envText}\n`, { mode: 0o600 });
    } catch (err) {
      rmSync(created, { recursive: true, force: true });
      throw err;
    }
    return created;
  });

  const waitEngram = (options.wait ?? 'healthy') === 'healthy' ? Wait.forHealthCheck() : Wait.forAll([]);
  const environment = new DockerComposeEnvironment(dir, 'compose.yaml')
    .withProjectName(projectName)
    .withWaitStrategy('postgres-1', Wait.forHealthCheck())
    .withWaitStrategy('engram-1', waitEngram)
    .withStartupTimeout(options.startupTimeoutMs ?? 180_000);
  const stack = new EngramStack({
    docker,
    projectName,
    dir,
    version: options.version,
    engramImage,
    httpPort,
    postgresPort,
    secrets,
    database,
  });
  try {
    await environment.up();
    if (options.seed !== false && (options.wait ?? 'healthy') === 'healthy') {
      await stack.seed(options.seed ?? { users: 3, notesPerUser: 10 });
    }
  } catch (err) {
    // The start failure is the error; whether the cleanup after it worked goes into its hint.
    const cleanup = await stack.dispose().then(
      () => 'The stack was removed again',
      (e: unknown) =>
        `Removing the stack failed too (${e instanceof Error ? e.message : String(e)}): run sweepTestbed()`,
    );
    throw testbedError(`start test stack ${projectName} (Engram ${options.version})`, err, cleanup);
  }
  return stack;
}
