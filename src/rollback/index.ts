export { type ExecuteRollbackOptions, executeRollback, type RollbackResult } from './execute-rollback';
export { requireEctoVersion, rollbackExpression } from './migrator-rollback';
export { type RollbackOptions, rollback } from './plan-rollback';
export { type RollbackHop, RollbackHopSchema, type RollbackPlan, RollbackPlanSchema } from './rollback-plan';
export { RollbackResultSchema } from './rollback-result';
