import { InvalidInputError } from '../errors/upgrade-error';

/**
 * Variables to interpolate with: a `Map` or a plain record. Only own properties of a record count, so
 * a name such as `constructor` is never read from the prototype.
 */
export type EnvInput = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** How a `${NAME…}` reference treats an unset or empty variable (compose's operators). */
export type InterpolationOperator = '' | ':-' | '-' | ':+' | '+' | ':?' | '?';

/** One piece of a compose template: literal text (`$$` already reduced to `$`) or a variable. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | {
      kind: 'variable';
      name: string;
      operator: InterpolationOperator;
      /** The default, alternative or error message after the operator, itself a template. */
      argument: readonly TemplatePart[];
      /** The reference as written, e.g. `${ENGRAM_TAG:-0.18.1}`. */
      source: string;
    };

/** A variable lookup: the value, or `undefined` when the variable is unset. */
export type Lookup = (name: string) => string | undefined;

export interface InterpolateOptions {
  /** Called for each variable that is unset and has no default (compose substitutes an empty string). */
  onUnset?: (name: string) => void;
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;
const BRACED = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[-+?])([\s\S]*))?$/;

/** A lookup over a `Map` or a record. */
export function lookupIn(env: EnvInput): Lookup {
  if (env instanceof Map) return (name) => env.get(name);
  const record = env as Readonly<Record<string, string>>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

/**
 * Splits a string into text and variable references the way docker compose reads them: `$$` is a
 * literal `$`, `$NAME` and `${NAME}` are references, `${NAME:-default}` and its siblings carry a nested
 * template, and a `$` followed by anything else stays literal.
 *
 * @throws InvalidInputError for a `${` compose would reject (no closing brace, or not a name inside).
 */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  const flush = () => {
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
  };
  while (i < template.length) {
    const ch = template[i];
    if (ch !== '$') {
      text += ch;
      i += 1;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      text += '$';
      i += 2;
      continue;
    }
    const named = NAME.exec(template.slice(i + 1));
    if (named) {
      flush();
      const name = named[0];
      parts.push({ kind: 'variable', name, operator: '', argument: [], source: `$${name}` });
      i += 1 + name.length;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(template, i + 1);
      const inner = close === -1 ? undefined : BRACED.exec(template.slice(i + 2, close));
      if (close === -1 || !inner) throw invalidTemplate(template);
      flush();
      parts.push({
        kind: 'variable',
        name: inner[1]!,
        operator: (inner[2] ?? '') as InterpolationOperator,
        argument: inner[3] === undefined ? [] : parseTemplate(inner[3]),
        source: template.slice(i, close + 1),
      });
      i = close + 1;
      continue;
    }
    text += '$';
    i += 1;
  }
  flush();
  return parts;
}

/**
 * Substitutes variables in a compose template. Unset variables without a default become empty, as in
 * compose (report them with `onUnset`).
 *
 * @throws InvalidInputError for an invalid template, or a `${NAME:?message}` whose variable is missing.
 */
export function interpolate(
  template: string | readonly TemplatePart[],
  lookup: Lookup,
  options: InterpolateOptions = {},
): string {
  const parts = typeof template === 'string' ? parseTemplate(template) : template;
  return parts.map((part) => evaluatePart(part, lookup, options)).join('');
}

function evaluatePart(part: TemplatePart, lookup: Lookup, options: InterpolateOptions): string {
  if (part.kind === 'text') return part.text;
  const value = lookup(part.name);
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  const argument = () => interpolate(part.argument, lookup, options);
  switch (part.operator) {
    case '':
      if (!set) options.onUnset?.(part.name);
      return value ?? '';
    case ':-':
      return nonEmpty ? value : argument();
    case '-':
      return set ? value : argument();
    case ':+':
      return nonEmpty ? argument() : (value ?? '');
    case '+':
      return set ? argument() : '';
    case ':?':
    case '?':
      if (part.operator === ':?' ? !nonEmpty : !set) {
        const reason = argument();
        throw new InvalidInputError({
          message: `Required variable ${part.name} is ${set ? 'empty' : 'not set'}${reason ? `: ${reason}` : ''}`,
          hint: `Set ${part.name} in .env (or the shell that runs docker compose) and try again`,
        });
      }
      return value!;
  }
}

/** Index of the `}` that closes the `{` at `open`, counting nested braces; -1 when there is none. */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth += 1;
    else if (s[i] === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function invalidTemplate(template: string): InvalidInputError {
  return new InvalidInputError({
    message: `${JSON.stringify(template)} is not a valid compose variable reference: a "\${" must hold a variable name and end with "}"`,
    hint: 'Write a literal dollar sign as "$$", and variables as ${NAME}, ${NAME:-default} or ${NAME:?message}',
  });
}
