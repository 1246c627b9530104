import { composeAvailable } from '../compose/compose-available';
import type { ComposeProjectFiles } from '../compose/compose-cli';
import { CONFIG_HASH_LABEL, composeConfigHash } from '../compose/config-hash';
import type { Deployment } from '../deployment/deployment';
import { canRecreate } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { engineModel, type RecreateDriver } from './recreate-app';

/** The driver a plan asks for: `auto` takes the compose CLI when `docker compose version` answers. */
export type RecreateDriverOption = RecreateDriver | 'auto';

export interface DriverChoice {
  driver: RecreateDriver;
  /** Why, in words (goes into the plan's recreate step). */
  why: string;
  warnings: string[];
}

/**
 * Decides, while planning, how the app container will be recreated. The engine driver is checked
 * here, before anything changes: it must be able to read every key of the service, and the config hash
 * it computes for the files as they are should be the one compose wrote on the running container
 * (otherwise a later `docker compose up -d` would recreate the container once more: a warning).
 *
 * @throws UpgradeError `RECREATE_UNSUPPORTED` when the engine driver is needed and cannot stand in.
 */
export async function chooseDriver(
  dep: Deployment,
  files: ComposeProjectFiles,
  requested: RecreateDriverOption,
  opts: { appLabels: Record<string, string>; hasCompose?: () => Promise<boolean> },
): Promise<DriverChoice> {
  if (requested === 'compose') return { driver: 'compose', why: 'asked for', warnings: [] };
  if (requested === 'auto' && (await (opts.hasCompose ?? composeAvailable)())) {
    return { driver: 'compose', why: 'docker compose answers on this host', warnings: [] };
  }
  const why = requested === 'auto' ? 'docker compose does not answer on this host' : 'asked for';
  if (!canRecreate(dep.docker)) {
    throw new UpgradeError('RECREATE_UNSUPPORTED', {
      message: `The engine recreate driver is needed (${why}), and the Docker port given to openDeployment cannot create containers`,
      unchanged: 'Nothing was changed',
      hint: "Open the deployment with the default Docker port, or use driver: 'compose' where the compose plugin is installed",
    });
  }
  const model = await engineModel(files, dep.appService);
  const written = opts.appLabels[CONFIG_HASH_LABEL];
  const warnings =
    written === composeConfigHash(model)
      ? []
      : [
          `The config hash the engine driver computes for ${dep.appService} differs from the one on its container (${written ? 'the compose files changed since it was created, or another compose version wrote it' : 'it carries none'}): after the upgrade a plain docker compose up -d would recreate it once more, with the same settings.`,
        ];
  return { driver: 'engine', why, warnings };
}
