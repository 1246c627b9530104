import { defaultDocker } from '../docker/default-docker';
import type { ContainerRecord, DockerPort } from '../docker/docker-port';
import { envMap } from '../docker/env-entries';
import { InvalidInputError, UpgradeError } from '../errors';
import { SecretSet } from '../secrets';

export interface OpenDeploymentOptions {
  /** The compose project name (`docker compose ls` shows it). */
  project: string;
  /** @default 'engram' */
  appService?: string;
  /** @default 'postgres' */
  dbService?: string;
  /**
   * @default a `DockerodeDocker` on DOCKER_HOST or the default socket (loaded on first use, so code that
   * passes its own port never loads the Docker client)
   */
  docker?: DockerPort;
}

// Compose's rule for project names is lower-case letters, digits, '-' and '_' with no length limit;
// 200 here keeps every file named after a project under the usual 255-byte limit.
const PROJECT = /^[a-z0-9][a-z0-9_-]{0,199}$/;
const SERVICE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** A compose-managed Engram deployment, found by its compose labels. Holds the ports it is driven through. */
export class Deployment {
  readonly project: string;
  readonly appService: string;
  readonly dbService: string;
  readonly docker: DockerPort;

  constructor(opts: Required<OpenDeploymentOptions>) {
    this.project = opts.project;
    this.appService = opts.appService;
    this.dbService = opts.dbService;
    this.docker = opts.docker;
  }

  /**
   * The service's current container (the running one, else the newest), or undefined when the project
   * has none. A Docker failure is not "none": it still throws.
   */
  async findContainer(service: string): Promise<ContainerRecord | undefined> {
    const found = await this.docker.findContainers({
      'com.docker.compose.project': this.project,
      'com.docker.compose.service': service,
    });
    return found.find((c) => c.running) ?? found[0];
  }

  /** The service's current container (the running one, else the newest); throws when there is none. */
  async container(service: string): Promise<ContainerRecord> {
    const current = await this.findContainer(service);
    if (!current) {
      throw new UpgradeError('INVALID_INPUT', {
        message: `Compose project '${this.project}' has no '${service}' container`,
        unchanged: 'Nothing was changed',
        hint: `Check the project name with 'docker compose ls' and the service names in its compose file`,
      });
    }
    return current;
  }

  app(): Promise<ContainerRecord> {
    return this.container(this.appService);
  }

  db(): Promise<ContainerRecord> {
    return this.container(this.dbService);
  }

  /** The app's container, or undefined when the project has none (the app may be removed mid-restore). */
  findApp(): Promise<ContainerRecord | undefined> {
    return this.findContainer(this.appService);
  }

  /** Secrets visible in the deployment's containers, for redaction. A container that is absent adds none. */
  async secrets(): Promise<SecretSet> {
    const records = [this.appService, this.dbService].map((s) => this.findContainer(s));
    return secretsOf(...(await Promise.all(records)));
  }

  /** Database user and name as the Postgres container was initialised (official image defaults). */
  async dbIdentity(): Promise<{ user: string; database: string }> {
    return dbIdentityOf(await this.db());
  }
}

/** Secrets in the environment of containers already looked up (no second inspect). */
export function secretsOf(...records: (ContainerRecord | undefined)[]): SecretSet {
  const set = new SecretSet();
  for (const r of records) if (r) set.addFromEnv(r.env);
  return set;
}

/** Database user and name from a Postgres container's environment, with the official image's defaults. */
export function dbIdentityOf(db: ContainerRecord): { user: string; database: string } {
  const env = envMap(db.env);
  const user = env.POSTGRES_USER || 'postgres';
  return { user, database: env.POSTGRES_DB || user };
}

/** Finds a compose-managed Engram deployment. Validates names before touching anything. */
export async function openDeployment(opts: OpenDeploymentOptions): Promise<Deployment> {
  for (const [field, value] of [
    ['project', opts.project],
    ['appService', opts.appService ?? 'engram'],
    ['dbService', opts.dbService ?? 'postgres'],
  ] as const) {
    const rule = field === 'project' ? PROJECT : SERVICE;
    if (typeof value !== 'string' || !rule.test(value)) {
      throw new InvalidInputError({
        message: `${field} ${JSON.stringify(String(value).slice(0, 80))} is not a compose ${field === 'project' ? 'project' : 'service'} name (lower-case letters, digits, '-' and '_', at most ${field === 'project' ? 200 : 63})`,
        hint:
          field === 'project'
            ? "Pass the project name as 'docker compose ls' lists it"
            : "Pass the service name as the compose file's services: section writes it",
      });
    }
  }
  const dep = new Deployment({
    project: opts.project,
    appService: opts.appService ?? 'engram',
    dbService: opts.dbService ?? 'postgres',
    docker: opts.docker ?? (await defaultDocker()),
  });
  await dep.db();
  return dep;
}
