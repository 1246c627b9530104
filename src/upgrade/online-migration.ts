import { z } from 'zod';
import type { MigrationAnalysis } from '../migrations/migration-analysis';

export const PendingMigrationSchema = z.object({
  version: z.string(),
  name: z.string(),
  phase: z.string(),
  irreversible: z.boolean(),
  lockRisk: z.string(),
});
export type PendingMigration = z.infer<typeof PendingMigrationSchema>;

/**
 * Whether a hop can migrate while the old version keeps serving, and why. Decided at planning from
 * the migrations the target image ships that this database lacks.
 */
export const OnlineDecisionSchema = z.object({
  qualifies: z.boolean(),
  reasons: z.array(z.string()),
  /** The image the decision was read from: execution refuses another one (the tag moved). */
  imageId: z.string().nullable(),
  pending: z.array(PendingMigrationSchema),
});
export type OnlineDecision = z.infer<typeof OnlineDecisionSchema>;

/**
 * An expand migration only adds (tables, nullable columns, concurrent indexes), so the running old
 * version keeps working on the expanded schema. A hop qualifies when every pending migration is a
 * known `expand`, can be reverted, and takes no lock that would stall the old version's queries; a
 * one-way hop never does (its backup must be quiesced). Pure.
 */
export function decideOnline(
  pending: readonly Pick<MigrationAnalysis, 'version' | 'name' | 'phase' | 'irreversible' | 'lockRisk'>[],
  hop: { oneWay: boolean; backupMode: 'online' | 'quiesced' | null },
  imageId: string | null,
): OnlineDecision {
  const reasons: string[] = [];
  if (hop.oneWay || hop.backupMode === 'quiesced')
    reasons.push('the hop is one-way: its backup stops the app first');
  if (pending.length === 0) reasons.push('no migration is pending: there is nothing to run ahead');
  for (const m of pending) {
    if (m.phase !== 'expand') reasons.push(`${m.version} ${m.name} is phase ${m.phase}, not expand`);
    if (m.irreversible) reasons.push(`${m.version} ${m.name} cannot be reverted`);
    if (m.lockRisk !== 'none' && m.lockRisk !== 'low') {
      reasons.push(
        `${m.version} ${m.name} has lock risk ${m.lockRisk}: it could stall the old version's queries`,
      );
    }
  }
  const qualifies = reasons.length === 0;
  return {
    qualifies,
    reasons: qualifies
      ? [
          `all ${pending.length} pending migration(s) only expand the schema, can be reverted and take no blocking lock`,
        ]
      : reasons,
    imageId,
    pending: pending.map((m) => ({
      version: m.version,
      name: m.name,
      phase: m.phase,
      irreversible: m.irreversible,
      lockRisk: m.lockRisk,
    })),
  };
}
