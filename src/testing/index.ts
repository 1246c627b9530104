export type { RunResult } from '../process/run-command';
export { EngramStack, type HealthReading, type StackSecrets } from './engram-stack';
export {
  engramImage,
  engramRepository,
  postgresImage,
  TESTBED_LABEL,
  type TestbedPostgresMajor,
  testbedRegistry,
} from './images';
export {
  type PreparedImages,
  type PrepareEngramImagesOptions,
  type PrepareTestbedOptions,
  type PullImagesOptions,
  prepareEngramImages,
} from './prepare-images';
export type { StackPgClient, StackQueryResult } from './stack-pg-client';
export { faultEnv, type StandinFaults } from './standin-faults';
export { type StartEngramStackOptions, startEngramStack } from './start-engram-stack';
export { type SweepOptions, sweepTestbed } from './sweep';
