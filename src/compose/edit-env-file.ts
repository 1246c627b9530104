import { z } from 'zod';
import { InvalidInputError, UpgradeError } from '../errors/upgrade-error';
import { type EnvQuote, quoteEnvValue } from './env-quote';
import {
  type EnvEntryLine,
  type EnvInheritLine,
  type EnvLine,
  parseEnvFile,
  renderEnvFile,
} from './parse-env-file';

/** A variable name engram-upgrade will write: letters, digits and `_`, not starting with a digit. */
export const EnvNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be letters, digits and _, and not start with a digit');

/**
 * One change to a `.env` file.
 *
 * - `set`: give `name` this value (the last definition is rewritten in place, or a line is appended).
 * - `rename`: move the value of `from` to `to` on the same line; the old line is kept as a comment
 *   (`# <old line>  (renamed to TO by engram-upgrade)`) or removed. No-op when `from` is not defined.
 * - `unset`: remove every definition of `name`. No-op when it is not defined.
 */
export const EnvEditSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set'), name: EnvNameSchema, value: z.string() }),
  z.object({
    op: z.literal('rename'),
    from: EnvNameSchema,
    to: EnvNameSchema,
    keep: z.enum(['comment', 'remove']),
  }),
  z.object({ op: z.literal('unset'), name: EnvNameSchema }),
]);
export type EnvEdit = z.infer<typeof EnvEditSchema>;

type Definition = EnvEntryLine | EnvInheritLine;

/**
 * Applies `edits` in order and returns the new text. Lines not named by an edit stay byte for byte as
 * they were; a rewritten line keeps its indentation, `export `, separator, inline comment and, when it
 * can hold the new value, its quoting. Each edit is checked by reading the result back.
 *
 * @throws InvalidInputError for an invalid name, a value no `.env` file can hold, or a file compose
 *   cannot read.
 * @throws UpgradeError `COMPOSE_EDIT` when a rename would lose or change a value (both names already set
 *   to different values, the old name inherited from the shell, or another entry refers to it).
 */
export function editEnvFile(text: string, edits: readonly EnvEdit[]): string {
  const checked = z.array(EnvEditSchema).safeParse(edits);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new InvalidInputError({
      message: `Edit ${issue.path.join('.')} is invalid: ${issue.message}`,
      hint: 'Variable names must match ^[A-Za-z_][A-Za-z0-9_]*$',
    });
  }
  return checked.data.reduce(applyEdit, text);
}

function applyEdit(text: string, edit: EnvEdit): string {
  const file = parseEnvFile(text);
  if (edit.op === 'set') {
    const def = definitions(file.lines, edit.name).at(-1);
    const lines = def
      ? file.lines.map((l) => (l === def ? setLine(def, edit.value) : l))
      : appendLine(file.lines, `${edit.name}=${quoteEnvValue(edit.value).text}`);
    const out = renderEnvFile({ ...file, lines });
    if (parseEnvFile(out).entries.get(edit.name) !== edit.value) {
      throw readBackFailed(`${edit.name} would not read back as the value set`);
    }
    return out;
  }
  if (edit.op === 'unset') {
    const defs = new Set<EnvLine>(definitions(file.lines, edit.name));
    return renderEnvFile({ ...file, lines: file.lines.filter((l) => !defs.has(l)) });
  }
  return rename(text, edit);
}

function rename(text: string, edit: Extract<EnvEdit, { op: 'rename' }>): string {
  const { from, to, keep } = edit;
  if (from === to) {
    throw new InvalidInputError({ message: `Cannot rename ${from} to itself`, hint: 'Drop this edit' });
  }
  const file = parseEnvFile(text);
  const defs = definitions(file.lines, from);
  const last = defs.at(-1);
  if (!last) return text;
  if (last.kind === 'inherit') {
    throw new UpgradeError('COMPOSE_EDIT', {
      message: `.env line ${last.line} names ${from} without a value, so compose takes it from the shell environment; engram-upgrade cannot move that value to ${to}`,
      unchanged: '.env was not changed',
      hint: `Set ${to} where ${from} is set (or write ${to}=<value> in .env) and remove ${from}`,
    });
  }
  const targetDefs = definitions(file.lines, to);
  const value = file.entries.get(from)!;
  if (targetDefs.length > 0 && file.entries.get(to) !== value) {
    throw new UpgradeError('COMPOSE_EDIT', {
      message: `.env sets both ${from} (line ${last.line}) and ${to} (line ${targetDefs.at(-1)!.line}) to different values, so renaming ${from} to ${to} would have to drop one of them`,
      unchanged: '.env was not changed',
      hint: `Keep the value you want under ${to}, delete the ${from} line, and run the upgrade again`,
    });
  }
  const retire = (l: Definition): EnvLine[] =>
    keep === 'remove' ? [] : [{ kind: 'comment', line: l.line, text: commentOut(l.text, to), eol: l.eol }];
  const moved = (literal: boolean): EnvLine[] =>
    file.lines.flatMap((l) => {
      if (!defs.includes(l as Definition)) return [l];
      const def = l as Definition;
      if (def !== last || targetDefs.length > 0) return retire(def);
      return [...retire(def), renamedLine(last, to, literal)];
    });
  for (const literal of [false, true]) {
    const out = renderEnvFile({ ...file, lines: moved(literal) });
    const after = parseEnvFile(out).entries;
    const kept = [...file.entries].every(([name, v]) => name === from || after.get(name) === v);
    if (kept && after.get(to) === value && !after.has(from)) return out;
  }
  throw new UpgradeError('COMPOSE_EDIT', {
    message: `Renaming ${from} to ${to} would change the value of another variable in .env that refers to ${from}`,
    unchanged: '.env was not changed',
    hint: `Replace \${${from}} with \${${to}} in .env by hand, then run the upgrade again`,
  });
}

/** The entry under its new name: the value text as written, or (`literal`) re-quoted as resolved. */
function renamedLine(def: EnvEntryLine, to: string, literal: boolean): EnvEntryLine {
  const head = def.head.slice(0, def.nameAt) + to + def.head.slice(def.nameAt + def.name.length);
  const written = literal ? writeValue(def.value, def.quote, def.tail) : def;
  return { ...def, ...written, name: to, head, text: head + written.valueText + written.tail };
}

function setLine(def: Definition, value: string): EnvLine {
  if (def.kind === 'inherit') return lineOf(`${def.text.trimEnd()}=${quoteEnvValue(value).text}`, def);
  if (def.value === value) return def;
  const written = writeValue(value, def.quote, def.tail);
  return { ...def, ...written, value, text: def.head + written.valueText + written.tail };
}

/**
 * The value in the line's own quoting when it can hold it (a value never moves from quotes to bare,
 * so a kept inline comment stays after " #" or a closing quote). An empty bare value would swallow
 * the comment (compose reads `A= # note` as "# note"), so that one gets quotes.
 */
function writeValue(
  value: string,
  prefer: EnvQuote,
  tail: string,
): Pick<EnvEntryLine, 'valueText' | 'quote' | 'tail'> {
  const swallowed = value === '' && prefer === 'none' && /^\s*#/.test(tail);
  const chosen = quoteEnvValue(value, swallowed ? 'double' : prefer);
  return { valueText: chosen.text, quote: chosen.quote, tail };
}

/** A new statement, read as compose would read it, in the place of `at`. */
function lineOf(text: string, at: Pick<EnvLine, 'line' | 'eol'>): EnvLine {
  return { ...parseEnvFile(text).lines[0]!, line: at.line, eol: at.eol };
}

function commentOut(text: string, to: string): string {
  return `${text
    .split('\n')
    .map((l) => `# ${l}`)
    .join('\n')}  (renamed to ${to} by engram-upgrade)`;
}

function definitions(lines: readonly EnvLine[], name: string): Definition[] {
  return lines.filter(
    (l): l is Definition => (l.kind === 'entry' || l.kind === 'inherit') && l.name === name,
  );
}

function appendLine(lines: readonly EnvLine[], text: string): EnvLine[] {
  const crlf = lines.filter((l) => l.eol === '\r\n').length;
  const eol = crlf > lines.length / 2 ? '\r\n' : '\n';
  const out = [...lines];
  const last = out.at(-1);
  if (last && last.eol === '') out[out.length - 1] = { ...last, eol };
  out.push(lineOf(text, { line: (last?.line ?? 0) + 1, eol }));
  return out;
}

function readBackFailed(what: string): UpgradeError {
  return new UpgradeError('COMPOSE_EDIT', {
    message: `The edited .env was checked by reading it back, and ${what}`,
    unchanged: '.env was not changed',
    hint: 'Make this change by hand and report the value shape (not the value) as a bug',
  });
}
