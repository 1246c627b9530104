import type { Heading, Link, List, Nodes, RootContent } from 'mdast';
import { type LinedText, linedText } from './inline-text';
import type { NotesDraft } from './notes-draft';
import { readProse } from './read-prose';
import type { Section, UpgradeSection } from './release-notes';
import { readRollbackVersion, readSchemaPr } from './schema-impact';
import { commandsOf, itemProse, joinProse, stepsOfList } from './upgrade-steps';
import {
  isBreakingHeading,
  isReleasePleaseHeading,
  isSchemaImpactHeading,
  readUpgradeHeading,
  readVersionHeading,
  type SchemaPart,
  schemaPart,
  sectionTitle,
} from './wording/headings';
import { readIrreversible } from './wording/irreversible';
import { findVersionFloors } from './wording/version-floor';

/** Where an upgrade guide's steps are: its ordered list, any list, or (without a list) its paragraphs. */
type StepSource = 'ordered-list' | 'list' | 'paragraphs';

type Context =
  | { kind: 'plain'; depth: number; section?: Section }
  | { kind: 'breaking'; depth: number; section: Section }
  | { kind: 'upgrade'; depth: number; upgrade: UpgradeSection; steps: StepSource }
  | { kind: 'schema'; depth: number; part: SchemaPart };

const BREAKING_PREFIX = /^\W*(?:breaking(?:[- ]changes?)?\b|⚠)/i;
const TRAILER = /^\W*full changelog\b/i;

/**
 * Walks the top-level blocks of one release (a release body, or one version of a CHANGELOG) and fills
 * the draft. Headings switch the context: an ordinary section, breaking changes, an "Upgrade from X to
 * Y" guide, or the SCHEMA-IMPACT block. Everything else is read as prose in that context. A deeper
 * heading stays inside a guide or a breaking section, except a heading that always opens its own part
 * of the notes (a release-please section such as "Features", a version, SCHEMA-IMPACT, another guide).
 */
export function walkNotes(nodes: readonly RootContent[], draft: NotesDraft): void {
  let ctx: Context = { kind: 'plain', depth: 0 };
  let index = 0;
  const block = (node: Nodes): void => {
    const line = node.position?.start.line ?? 1;
    switch (node.type) {
      case 'heading': {
        const next = headingContext(node, ctx, draft);
        if (next !== ctx && next.kind === 'upgrade') next.steps = stepSource(nodes, index + 1, next.depth);
        ctx = next;
        return;
      }
      case 'thematicBreak':
        ctx = { kind: 'plain', depth: 0 };
        return;
      case 'paragraph':
        prose(linedText(node, line));
        return;
      case 'html': {
        const text = node.value.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, ' ');
        if (text.trim()) prose(linedText({ type: 'text', value: text, position: node.position }, line));
        return;
      }
      case 'blockquote':
        for (const child of node.children) block(child);
        return;
      case 'list':
        list(node);
        return;
      case 'code':
        if (ctx.kind === 'schema') draft.schemaImpact.rollbackTo ??= readRollbackVersion(node.value);
        if (ctx.kind === 'upgrade') {
          const last = ctx.upgrade.steps[ctx.upgrade.steps.length - 1];
          if (last) last.commands.push(...commandsOf(node));
          else ctx.upgrade.steps.push({ text: '', line, commands: commandsOf(node) });
        }
        return;
      default:
        return;
    }
  };

  const prose = (text: LinedText): void => {
    if (TRAILER.test(text.text)) return;
    if (ctx.kind === 'schema') {
      readProse([text], draft, { breaking: false });
    } else if (ctx.kind === 'upgrade') {
      const { unread } = readProse([text], draft, { breaking: false });
      if (ctx.steps !== 'paragraphs') draft.needsReview.push(...unread);
      else ctx.upgrade.steps.push({ text: joinProse([text]), line: firstLine(text), commands: [] });
    } else {
      const breaking = ctx.kind === 'breaking' || BREAKING_PREFIX.test(text.text);
      draft.needsReview.push(...readProse([text], draft, { breaking }).unread);
    }
  };

  const list = (node: List): void => {
    const line = node.position?.start.line ?? 1;
    if (ctx.kind === 'upgrade' && (ctx.steps === 'list' || (ctx.steps === 'ordered-list' && node.ordered))) {
      for (const { step, prose: parts } of stepsOfList(node, line)) {
        ctx.upgrade.steps.push(step);
        readProse(parts, draft, { breaking: false });
      }
      return;
    }
    const section = ctx.kind === 'plain' || ctx.kind === 'breaking' ? ctx.section : undefined;
    for (const item of node.children) {
      const parts = itemProse(item, line);
      const itemLine = item.position?.start.line ?? line;
      const text = joinProse(parts);
      if (ctx.kind === 'schema') {
        const pr = readSchemaPr(text, itemLine);
        if (pr) draft.schemaImpact.prs.push(pr);
        readProse(parts, draft, { breaking: false });
        continue;
      }
      section?.items.push({ text, line: itemLine });
      // One item is one change, however many paragraphs it has.
      const breaking = ctx.kind === 'breaking' || BREAKING_PREFIX.test(text);
      draft.needsReview.push(...readProse(parts, draft, { breaking }).unread);
    }
  };

  for (; index < nodes.length; index++) block(nodes[index] as RootContent);
}

// The steps of a guide are its ordered list when it has one (a bullet list next to it holds notes, not
// steps), else any list, else its paragraphs. The guide ends where its section ends.
function stepSource(nodes: readonly RootContent[], from: number, depth: number): StepSource {
  let listed = false;
  for (let i = from; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.type === 'thematicBreak') break;
    if (node.type === 'heading') {
      if (node.depth <= depth || opensOwnPart(headingText(node))) break;
    } else if (node.type === 'list') {
      if (node.ordered) return 'ordered-list';
      listed = true;
    }
  }
  return listed ? 'list' : 'paragraphs';
}

/** Headings that start their own part of the notes at any depth, so they end a guide or a breaking section. */
function opensOwnPart(title: string): boolean {
  return (
    isReleasePleaseHeading(title) ||
    isSchemaImpactHeading(title) ||
    readVersionHeading(title) !== null ||
    readUpgradeHeading(title) !== null
  );
}

function headingText(node: Heading): string {
  return linedText(node, node.position?.start.line ?? 1).text.trim();
}

function headingContext(node: Heading, ctx: Context, draft: NotesDraft): Context {
  const lt = linedText(node, node.position?.start.line ?? 1);
  const title = lt.text.trim();
  const line = firstLine(lt);
  if (ctx.kind === 'schema' && node.depth > ctx.depth && !opensOwnPart(title)) {
    const part = schemaPart(title);
    if (part === 'irreversible') {
      draft.schemaImpact.irreversible = true;
      draft.oneWay ??= { text: title, line };
    }
    return { ...ctx, part };
  }
  const nested = node.depth > ctx.depth && !opensOwnPart(title);
  if ((ctx.kind === 'upgrade' || ctx.kind === 'breaking') && nested) return ctx;

  if (isSchemaImpactHeading(title)) {
    draft.schemaImpact.present = true;
    draft.schemaImpact.line = line;
    return { kind: 'schema', depth: node.depth, part: 'other' };
  }
  const version = readVersionHeading(title);
  if (version) {
    if (!draft.heading) {
      const link = node.children.find((c): c is Link => c.type === 'link');
      draft.heading = { ...version, line, ...(link ? { url: link.url } : {}) };
    }
    return { kind: 'plain', depth: node.depth };
  }
  const upgrade = readUpgradeHeading(title);
  if (upgrade) {
    const section: UpgradeSection = { from: upgrade.from.version, to: upgrade.to.version, line, steps: [] };
    draft.upgradeSections.push(section);
    draft.floors.push({ version: upgrade.from.version, exact: upgrade.from.exact, text: title, line });
    return { kind: 'upgrade', depth: node.depth, upgrade: section, steps: 'paragraphs' };
  }
  // Headings are short labels: only floors and irreversibility are read from them.
  for (const f of findVersionFloors(title)) {
    if (!f.product) draft.floors.push({ version: f.version, exact: f.exact, text: title, line });
  }
  if (readIrreversible(title.toLowerCase()) === 'irreversible') draft.oneWay ??= { text: title, line };
  const section: Section = { title: sectionTitle(title), line, items: [] };
  draft.sections.push(section);
  return isBreakingHeading(title)
    ? { kind: 'breaking', depth: node.depth, section }
    : { kind: 'plain', depth: node.depth, section };
}

function firstLine(t: LinedText): number {
  return t.marks[0]?.line ?? 1;
}
