/**
 * engram-upgrade: composable primitives for upgrading a self-hosted Engram deployment.
 * Pure core (release notes, planning) and adapters (Docker, Postgres) behind small ports.
 */
export * from './backup';
export { Deployment, type OpenDeploymentOptions, openDeployment } from './deployment/deployment';
export type {
  ContainerRecord,
  DockerPort,
  ExecOutcome,
  ExecRequest,
  ScratchContainerSpec,
} from './docker/docker-port';
export { DockerodeDocker } from './docker/dockerode-docker';
export * from './compose';
export * from './errors';
export * from './execute';
export * from './migrations';
export * from './notes';
export * from './plan';
export * from './rollback';
export { SecretSet } from './secrets';
export * from './upgrade';
