import { z } from 'zod';

/**
 * What `executeRollback` returns: the run, the versions it went from and to, the time of each step
 * and a paragraph for a person. The `RollbackResult` type is the same shape (a unit test keeps the
 * two equal).
 */
export const RollbackResultSchema = z.object({
  planId: z.string(),
  run: z.string(),
  /** The run's journal file. */
  journal: z.string(),
  /** The run finished an interrupted earlier run of the same plan. */
  resumed: z.boolean(),
  from: z.string(),
  to: z.string(),
  /** Milliseconds per step id. */
  timings: z.record(z.string(), z.number()),
  /** One paragraph for a person. */
  summary: z.string(),
});
