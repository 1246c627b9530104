import { z } from 'zod';

/** One hop as the rehearsal ran it: milliseconds per step, the time the app did not serve, its rollback. */
export const RehearsedHopSchema = z.object({
  from: z.string(),
  to: z.string(),
  ms: z.number().int().nonnegative(),
  /** A quiesced backup, the recreate, the migrations and the health gate: while these run nothing serves. */
  downtimeMs: z.number().int().nonnegative(),
  steps: z.record(z.string(), z.number().int().nonnegative()),
  /** The hop's planned rollback, tried after the whole path; null when not tried. */
  rollback: z
    .object({
      strategy: z.string(),
      ms: z.number().int().nonnegative(),
      ok: z.boolean(),
      error: z.string().optional(),
    })
    .nullable(),
});
export type RehearsedHop = z.infer<typeof RehearsedHopSchema>;

/** What a rehearsal measured on a throwaway copy of the deployment. Plain data. */
export const RehearsalReportSchema = z.object({
  kind: z.literal('rehearsal'),
  project: z.string(),
  rehearsalProject: z.string(),
  from: z.string(),
  to: z.string(),
  /** The backup restored into the copy: a given one (path) or a fresh online one (removed afterwards). */
  backup: z.object({ path: z.string().nullable(), fresh: z.boolean(), ms: z.number().int().nullable() }),
  restoreMs: z.number().int().nonnegative(),
  /** What the copy does differently from the real project (ports dropped, names freed). */
  copyChanges: z.array(z.string()),
  hops: z.array(RehearsedHopSchema),
  totalMs: z.number().int().nonnegative(),
});
export type RehearsalReport = z.infer<typeof RehearsalReportSchema>;
