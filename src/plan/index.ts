export { type DescribePathOptions, describePath } from './describe-path';
export {
  PlanContradictionError,
  ReleaseGapError,
  TargetOlderError,
  UnknownVersionError,
  UnsatisfiableFloorError,
} from './plan-errors';
export { type PlanUpgradePathOptions, planUpgradePath } from './plan-upgrade-path';
export * from './upgrade-path';
