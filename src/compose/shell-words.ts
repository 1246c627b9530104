/**
 * Splits a compose `command:` / `entrypoint:` string into words the way compose does (shell-style
 * quoting, a backslash escaping the next character outside single quotes, no variable expansion). Null
 * for what this reader does not reproduce: an unclosed quote, or an unquoted `;`, `&`, `|`, `<` or `>`
 * (compose would cut the command there).
 */
export function parseShellWords(text: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
      continue;
    }
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) return null;
      word += next;
      inWord = true;
      i += 1;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (';&|<>'.includes(ch)) {
      return null;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return null;
  if (inWord) words.push(word);
  return words;
}
