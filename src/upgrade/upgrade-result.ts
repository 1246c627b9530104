import { z } from 'zod';
import { HopRecordSchema } from './hop-record';

/**
 * What `executeUpgrade` returns (and `engram-upgrade apply --json` prints): the run, the hops it
 * finished, the time of each step and a paragraph for a person. The `UpgradeResult` type is the same
 * shape (a unit test keeps the two equal).
 */
export const UpgradeResultSchema = z.object({
  planId: z.string(),
  run: z.string(),
  /** The run's journal file. */
  journal: z.string(),
  /** The run finished an interrupted earlier run of the same plan. */
  resumed: z.boolean(),
  from: z.string(),
  to: z.string(),
  /** Hops finished in this run (and in the interrupted run it resumed), in order. */
  hops: z.array(HopRecordSchema),
  /** Milliseconds per step id. */
  timings: z.record(z.string(), z.number()),
  /** One paragraph for a person. */
  summary: z.string(),
});
