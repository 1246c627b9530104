import { readFile } from 'node:fs/promises';
import type { ComposeProjectFiles } from './compose-cli';
import { parseEnvFile } from './env-file';
import { lookupIn } from './interpolate';
import { buildServiceModel, type ServiceModelResult, serviceEnvFiles } from './service-model';
import { readServiceSource, type ServiceSource } from './service-source';

/**
 * Reads a compose project from disk (its compose files, the env file compose interpolates with and
 * the env files the service names) and loads `service` as compose would. Variables come from the
 * project's env file only: the library has no shell of the operator's to inherit from.
 */
export async function loadServiceModel(
  files: ComposeProjectFiles,
  service: string,
): Promise<ServiceModelResult> {
  const { source, env } = await loadSource(files, service);
  const texts = new Map<string, string | null>();
  for (const f of serviceEnvFiles(source)) texts.set(f.path, await readOptional(f.path));
  return buildServiceModel(source, env, texts);
}

/** The service's keys as the compose files give them (merged, interpolated), before any modelling. */
export async function loadServiceSource(files: ComposeProjectFiles, service: string): Promise<ServiceSource> {
  return (await loadSource(files, service)).source;
}

async function loadSource(files: ComposeProjectFiles, service: string) {
  const compose = await Promise.all(
    files.configFiles.map(async (path) => ({ path, text: await readFile(path, 'utf8') })),
  );
  const envText = files.envFile ? await readOptional(files.envFile) : null;
  const env =
    envText === null ? new Map<string, string>() : parseEnvFile(envText, { path: files.envFile! }).entries;
  return { source: readServiceSource(compose, service, lookupIn(env), files.workingDir), env };
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
