/**
 * engram-upgrade: composable primitives for upgrading a self-hosted Engram deployment.
 * Pure core (release notes, planning) and adapters (Docker, Postgres) behind small ports.
 */
export * from './backup';
export * from './cli/cli-output-schemas';
export * from './compose';
export { Deployment, type OpenDeploymentOptions, openDeployment } from './deployment/deployment';
export type { DockerConnection, DockerodeClient } from './docker/docker-connection';
export {
  type DockerEndpoint,
  type DockerEndpointSettings,
  type EndpointTls,
  resolveDockerEndpoint,
} from './docker/docker-endpoint';
export type {
  ContainerCreateSpec,
  ContainerRecord,
  ContainerSettings,
  DockerHousekeepingPort,
  DockerPort,
  DockerRecreatePort,
  ExecOutcome,
  ExecRequest,
  ImageRecord,
  LabelledResource,
  LogLine,
  OneOffOutcome,
  OneOffSpec,
  PullProgress,
  ResourceKind,
  ScratchContainerSpec,
} from './docker/docker-port';
export { DockerodeDocker } from './docker/dockerode-docker';
export type { DeclaredSettings } from './docker/replacement-spec';
export * from './errors';
export * from './execute';
export * from './migrations';
export * from './notes';
export * from './plan';
export {
  type ResumedRun,
  type ResumeInterruptedOptions,
  resumeInterrupted,
} from './recover/resume-interrupted';
export * from './rehearse';
export * from './rollback';
export { SecretSet } from './secrets';
export * from './upgrade';
