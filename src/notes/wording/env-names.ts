import type { Sentence } from '../inline-text';

// Upper-case words with at least one underscore are variable names in prose. Single words (PORT) only
// count inside inline code, where authors put variable names, and never the usual acronyms.
const IN_PROSE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;
const IN_CODE = /^\$?\{?([A-Z][A-Z0-9_]{1,})\}?(?:=.*)?$/;
const ACRONYMS = new Set([
  'API',
  'URL',
  'URI',
  'JSON',
  'SQL',
  'HTTP',
  'HTTPS',
  'UUID',
  'README',
  'CHANGELOG',
  'TLS',
  'DNS',
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'CSV',
  'PDF',
  'MCP',
  'RLS',
  'DDL',
  'CPU',
  'RAM',
  'OK',
  'ID',
  'IRREVERSIBLE',
]);

/** Environment variable names in a sentence, in order of first appearance, without duplicates. */
export function envNames(s: Sentence): string[] {
  const found = new Map<string, number>();
  for (const m of s.text.matchAll(IN_PROSE)) if (!found.has(m[0])) found.set(m[0], m.index);
  for (const code of s.code) {
    const name = IN_CODE.exec(code)?.[1];
    if (name && !ACRONYMS.has(name) && !found.has(name)) found.set(name, s.text.indexOf(name));
  }
  return [...found.entries()].sort((a, b) => a[1] - b[1]).map(([name]) => name);
}

/** A sentence in lower case with every variable name replaced by `@<index>` into `names`. */
export interface EnvTemplate {
  names: string[];
  template: string;
}

/** Replaces variable names by `@0`, `@1`, … so wording can be matched without caring about names. */
export function envTemplate(s: Sentence): EnvTemplate {
  const names = envNames(s);
  // Replace before lower-casing: `PORT` is a variable, "the port" in the same sentence is not. Names
  // are upper-case words, so one alternation finds them all and no name matches inside another.
  const text =
    names.length === 0
      ? s.text
      : s.text.replace(
          new RegExp(`\\$?\\b(${names.join('|')})\\b(?:=\\S*)?`, 'g'),
          (_, name: string) => `@${names.indexOf(name)}`,
        );
  return { names, template: text.toLowerCase().replace(/\s+/g, ' ') };
}
