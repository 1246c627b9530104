import { z } from 'zod';
import { runResultFields } from '../execute/deployment-plan';
import { HopRecordSchema } from './hop-record';

/**
 * What `executeUpgrade` returns (and `engram-upgrade apply --json` prints): the run, the hops it
 * finished, the time of each step and a paragraph for a person. The `UpgradeResult` type is the same
 * shape (a unit test keeps the two equal).
 */
export const UpgradeResultSchema = z.object({
  ...runResultFields,
  /** Hops finished in this run (and in the interrupted run it resumed), in order. */
  hops: z.array(HopRecordSchema),
});
