import type { IndexedRelease } from './release-index';
import type {
  Backup,
  BackupPolicy,
  Citation,
  EnvChanges,
  Hop,
  HopBreaking,
  HopReason,
  ManualStep,
  SchemaImpactLevel,
} from './upgrade-path';

/** Folds the notes of every release a hop crosses into the hop: what to do before, during and after. */
export function buildHop(
  from: string,
  crossed: readonly IndexedRelease[],
  reasons: HopReason[],
  policy: BackupPolicy,
): Hop {
  const breaking: HopBreaking[] = [];
  const envChanges: EnvChanges = { renames: [], required: [] };
  const manualSteps: ManualStep[] = [];
  const oneWayCauses: Citation[] = [];
  const schemaVersions: string[] = [];
  const requiredSeen = new Set<string>();

  for (const { version, notes } of crossed) {
    for (const b of notes.breaking) {
      const item: HopBreaking = { version, kind: b.kind, text: b.text, line: b.line };
      if (b.from !== undefined) item.from = b.from;
      if (b.to !== undefined) item.to = b.to;
      breaking.push(item);
    }
    for (const r of notes.envRenames)
      envChanges.renames.push({ version, from: r.from, to: r.to, line: r.line });
    for (const r of notes.requiredEnv) {
      if (requiredSeen.has(r.name)) continue;
      requiredSeen.add(r.name);
      envChanges.required.push({ version, name: r.name, line: r.line });
    }
    for (const s of notes.upgradeSections) {
      const section = { from: s.from, to: s.to, line: s.line };
      for (const step of s.steps) {
        manualSteps.push({
          version,
          section,
          text: step.text,
          line: step.line,
          commands: [...step.commands],
        });
      }
    }
    if (notes.oneWay) oneWayCauses.push({ version, line: notes.oneWay.line, text: notes.oneWay.text });
    else if (notes.schemaImpact.irreversible) {
      const text = 'SCHEMA-IMPACT: ⚠️ IRREVERSIBLE';
      oneWayCauses.push({ version, line: notes.schemaImpact.line ?? 0, text });
    }
    if (notes.schemaImpact.present || notes.oneWay) schemaVersions.push(version);
  }

  const oneWay = oneWayCauses.length > 0;
  const level: SchemaImpactLevel = oneWay
    ? 'irreversible'
    : schemaVersions.length > 0
      ? 'reversible'
      : 'not-announced';
  const to = crossed[crossed.length - 1]!.version;
  return {
    from,
    to,
    releases: crossed.map((r) => r.version),
    oneWay,
    oneWayCauses,
    schemaImpact: { level, versions: schemaVersions },
    breaking,
    envChanges,
    manualSteps,
    backup: backupFor(level, policy),
    rollback: oneWay ? 'restore' : 'migrator',
    reasons,
  };
}

function backupFor(level: SchemaImpactLevel, policy: BackupPolicy): Backup {
  if (level === 'irreversible') {
    return {
      required: true,
      mode: 'quiesced',
      reason:
        'The hop is one-way: the backup is the only way back, so stop the app before the dump and no write is lost between the dump and the upgrade',
    };
  }
  if (policy === 'every-hop') {
    return {
      required: true,
      mode: 'online',
      reason:
        'Backup policy every-hop; the migrator can undo this hop, so an online dump is enough (notes under-report schema changes)',
    };
  }
  if (level === 'reversible') {
    return {
      required: true,
      mode: 'online',
      reason: 'The notes announce a reversible schema change; an online dump covers a failed migration',
    };
  }
  return {
    required: false,
    mode: 'online',
    reason: 'Backup policy when-needed and no crossed release announces a schema change',
  };
}
