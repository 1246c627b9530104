import type { Hop, UpgradePath } from './upgrade-path';

/** What a person reads about a path, independent of how it is printed. */
export interface PathView {
  title: string;
  summary: string;
  hops: HopView[];
  warnings: string[];
  needsReview: string[];
}

export interface HopView {
  title: string;
  oneWay: boolean;
  blocks: ViewBlock[];
}

export interface ViewBlock {
  label: string;
  /** Items whose order matters (manual steps) are numbered instead of bulleted. */
  ordered: boolean;
  items: ViewItem[];
}

export interface ViewItem {
  text: string;
  /** Commands exactly as the notes wrote them. */
  commands?: string[];
}

export function pathView(path: UpgradePath): PathView {
  const n = path.hops.length;
  const title = `Upgrade ${path.from} → ${path.to} (${path.family} tags)`;
  const summary =
    n === 0
      ? `Already on ${path.from}: nothing to do.`
      : `${n} ${n === 1 ? 'hop' : 'hops'}: ${[path.from, ...path.hops.map((h) => h.to)].join(' → ')}`;
  return {
    title,
    summary,
    hops: path.hops.map((h, i) => hopView(h, i, n)),
    warnings: path.warnings.map((w) => (w.version ? `${w.text} (${w.version})` : w.text)),
    needsReview: path.needsReview.map((r) => `${r.version}, line ${r.line}: "${r.text}" — ${r.reason}`),
  };
}

function hopView(hop: Hop, i: number, n: number): HopView {
  const blocks: ViewBlock[] = [];
  const add = (label: string, items: ViewItem[], ordered = false) => {
    if (items.length > 0) blocks.push({ label, ordered, items });
  };
  add('Crosses', [{ text: hop.releases.join(', ') }]);
  add(
    'Why it stops here',
    hop.reasons.map((r) => ({ text: r.text })),
  );
  add('Before the hop, in .env', [
    ...hop.envChanges.renames.map((r) => ({
      text: `rename ${r.from} to ${r.to} (${r.version}, line ${r.line})`,
    })),
    ...hop.envChanges.required.map((r) => ({
      text: `set ${r.name}, required by ${r.version} (line ${r.line})`,
    })),
  ]);
  add(
    'Breaking changes',
    hop.breaking.map((b) => ({ text: `${b.text} (${b.kind}; ${b.version}, line ${b.line})` })),
  );
  add(
    'Manual steps',
    hop.manualSteps.map((s) => ({
      text: `${s.text} (${s.version} "Upgrade from ${s.section.from} to ${s.section.to}", line ${s.line})`,
      commands: s.commands,
    })),
    true,
  );
  const impact = hop.schemaImpact;
  const announced = `changes announced by ${impact.versions.join(', ')}`;
  const oneWayBy = hop.oneWayCauses.map((c) => c.version).join(', ');
  const schema =
    impact.level === 'not-announced'
      ? 'no change announced (that does not prove there is none)'
      : impact.level === 'irreversible'
        ? `irreversible by ${oneWayBy}; ${announced}`
        : `reversible; ${announced}`;
  add('Schema', [{ text: schema }]);
  const backup = hop.backup.required ? `required, ${hop.backup.mode}` : 'not required';
  add('Backup', [{ text: `${backup}. ${hop.backup.reason}` }]);
  add('Undo', [{ text: undoText(hop) }]);
  return { title: `Hop ${i + 1} of ${n}: ${hop.from} → ${hop.to}`, oneWay: hop.oneWay, blocks };
}

function undoText(hop: Hop): string {
  if (hop.rollback === 'restore') {
    const causes = hop.oneWayCauses.map((c) => `${c.version}, line ${c.line}: "${c.text}"`).join('; ');
    return `restore the backup taken before this hop; the migrator cannot undo it (${causes})`;
  }
  return `roll back with the migrator run from the ${hop.to} image, then start ${hop.from} again`;
}
