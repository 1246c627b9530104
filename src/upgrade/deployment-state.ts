import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { ComposeProjectFiles } from '../compose/compose-cli';
import { parseEnvFile } from '../compose/env-file';
import type { LocatedImage } from '../compose/image-location';
import { locateImageInFiles } from '../compose/locate-image';
import { psqlQuery } from '../db/psql';
import { PsqlSession } from '../db/psql-session';
import { type Deployment, dbIdentityOf, secretsOf } from '../deployment/deployment';
import type { ContainerRecord } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import type { SecretSet } from '../secrets';
import { type HealthReading, readHealth } from './app-health';

/** A file the deployment is configured by, with the hash it had when it was read. */
export interface ConfigFile {
  path: string;
  sha256: string;
  text: string;
}

/** Everything about a running deployment that an upgrade or a rollback plans from. */
export interface DeploymentState {
  project: string;
  app: ContainerRecord;
  db: ContainerRecord;
  /** `/api/health` as the running app answers it (status 0 when it does not). */
  health: HealthReading;
  /** The running version as the app reports it, or null when it does not answer. */
  version: string | null;
  buildSha: string | null;
  files: ComposeProjectFiles;
  /** The app's image: the reference its container was created from, its id, and a registry digest. */
  image: { reference: string; id: string; repoDigest: string | null };
  /** Where the compose project writes the app's image, or null with the reason (e.g. `build:` only). */
  imageLocation: LocatedImage | null;
  imageProblem: string | null;
  /** The compose files and the env file, as read now. */
  configFiles: ConfigFile[];
  /** Applied Ecto versions, ascending. */
  applied: string[];
  head: string | null;
  secrets: SecretSet;
}

/** Compose's own record of where the project's files are, from the container's labels. */
export function composeFilesOf(project: string, app: ContainerRecord): ComposeProjectFiles {
  const workingDir = app.labels['com.docker.compose.project.working_dir'];
  const configs = app.labels['com.docker.compose.project.config_files'];
  if (!workingDir || !configs) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `Container ${app.name} carries no compose project labels (working_dir, config_files)`,
      unchanged: 'Nothing was changed',
      hint: 'Start the deployment with docker compose (v2) so its files can be found',
    });
  }
  const configFiles = configs.split(',').map((f) => (isAbsolute(f) ? f : join(workingDir, f)));
  const envLabel = app.labels['com.docker.compose.project.environment_file'];
  return {
    project,
    workingDir,
    configFiles,
    envFile: envLabel ? envLabel.split(',')[0]! : join(workingDir, '.env'),
  };
}

export async function readConfigFile(path: string): Promise<ConfigFile | null> {
  try {
    const text = await readFile(path, 'utf8');
    return { path, text, sha256: createHash('sha256').update(text).digest('hex') };
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    throw new UpgradeError('INVALID_INPUT', {
      message: `Could not read ${path}: ${(err as Error).message}`,
      unchanged: 'Nothing was changed',
      hint: 'Run engram-upgrade as a user that can read the compose project files',
      cause: err,
    });
  }
}

const APPLIED_SQL = 'SELECT version::text FROM schema_migrations ORDER BY version';

/** Applied migrations, ascending, read through psql in the Postgres container. */
export async function readApplied(
  dep: Deployment,
  db: ContainerRecord,
  secrets: SecretSet,
): Promise<string[]> {
  const { user, database } = dbIdentityOf(db);
  const rows = await psqlQuery(
    { docker: dep.docker, containerId: db.id, user, database, secrets },
    APPLIED_SQL,
    'read schema_migrations',
  );
  return rows.map((r) => r[0]!);
}

/**
 * `readApplied` for a loop that reads `schema_migrations` every second: one psql session serves every
 * read. A read the session cannot serve (Postgres restarted under it, say) is made the usual way, which
 * reports the error if there is one; the next read opens a new session.
 */
export class AppliedReader implements AsyncDisposable {
  readonly #dep: Deployment;
  readonly #db: ContainerRecord;
  readonly #secrets: SecretSet;
  #session: PsqlSession | undefined;

  constructor(dep: Deployment, db: ContainerRecord, secrets: SecretSet) {
    this.#dep = dep;
    this.#db = db;
    this.#secrets = secrets;
  }

  async read(): Promise<string[]> {
    if (!this.#session?.open) {
      await this.#session?.close();
      const { user, database } = dbIdentityOf(this.#db);
      this.#session = PsqlSession.open(this.#dep.docker, this.#db.id, user, database, this.#secrets);
    }
    try {
      return (await this.#session.query(APPLIED_SQL)).map((r) => r[0]!);
    } catch {
      // Only the cheaper way to ask failed: the usual read below reports what is wrong, if anything is.
      return readApplied(this.#dep, this.#db, this.#secrets);
    }
  }

  async close(): Promise<void> {
    await this.#session?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Looks at the deployment from outside: containers, health, compose files, migrations. Changes nothing. */
export async function inspectDeployment(dep: Deployment): Promise<DeploymentState> {
  const [app, db] = await Promise.all([dep.app(), dep.db()]);
  const secrets = secretsOf(app, db);
  const files = composeFilesOf(dep.project, app);
  const configFiles: ConfigFile[] = [];
  for (const path of [...files.configFiles, ...(files.envFile ? [files.envFile] : [])]) {
    const f = await readConfigFile(path);
    if (f) configFiles.push(f);
    else if (path !== files.envFile) {
      throw new UpgradeError('INVALID_INPUT', {
        message: `The compose file ${path} named by ${app.name}'s labels does not exist`,
        unchanged: 'Nothing was changed',
        hint: 'Run engram-upgrade on the machine (and as the user) that holds the compose project',
      });
    }
  }
  if (files.envFile && !configFiles.some((f) => f.path === files.envFile)) files.envFile = null;
  const envFile = configFiles.find((f) => f.path === files.envFile);
  const envValues = envFile
    ? parseEnvFile(envFile.text, { path: envFile.path }).entries
    : new Map<string, string>();
  let imageLocation: LocatedImage | null = null;
  let imageProblem: string | null = null;
  try {
    imageLocation = locateImageInFiles(
      configFiles.filter((f) => f !== envFile).map((f) => ({ path: f.path, text: f.text })),
      dep.appService,
      envValues,
    );
  } catch (err) {
    if (!(err instanceof UpgradeError)) throw err;
    imageProblem = err.message;
  }
  const img = await dep.docker.inspectImage(app.imageId);
  const repo = app.image.replace(/@sha256:[0-9a-f]{64}$/, '').replace(/:[^:/]+$/, '');
  const repoDigest = img?.repoDigests.find((d) => d.startsWith(`${repo}@`)) ?? img?.repoDigests[0] ?? null;
  const health = app.running
    ? await readHealth(dep.docker, app)
    : ({ status: 0, body: null, error: 'not running' } satisfies HealthReading);
  const applied = db.running ? await readApplied(dep, db, secrets) : [];
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    project: dep.project,
    app,
    db,
    health,
    version: health.status === 200 ? str(health.body?.version) : null,
    buildSha: health.status === 200 ? str(health.body?.build_sha) : null,
    files,
    image: { reference: app.image, id: app.imageId, repoDigest },
    imageLocation,
    imageProblem,
    configFiles,
    applied,
    head: applied.at(-1) ?? null,
    secrets,
  };
}
