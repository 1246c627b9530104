import { z } from 'zod';
import { runResultFields } from '../execute/deployment-plan';

/**
 * What `executeRollback` returns: the run, the versions it went from and to, the time of each step
 * and a paragraph for a person. The `RollbackResult` type is the same shape (a unit test keeps the
 * two equal).
 */
export const RollbackResultSchema = z.object(runResultFields);
