/** A table or column name: bare, quoted, schema-qualified, or an Elixir interpolation. */
export const SQL_NAME = String.raw`((?:"[^"]+"|[\w$]+|#\{[^}]*\})(?:\.(?:"[^"]+"|[\w$]+|#\{[^}]*\}))?)`;

/** `"public"."Notes"` → `Notes`, `public.notes` → `notes`; `#{table}` stays as written. */
export function tableName(raw: string): string {
  const parts = raw.split('.').map((p) => (p.startsWith('"') ? p.slice(1, -1) : p.toLowerCase()));
  return parts.length > 1 && parts[0] === 'public' ? parts.slice(1).join('.') : parts.join('.');
}

/** The first `n` words of a statement, with an ellipsis when there are more. */
export function firstWords(s: string, n: number): string {
  const words = s.split(' ');
  return words.slice(0, n).join(' ') + (words.length > n ? ' …' : '');
}

const DOLLAR = /\$[A-Za-z_]*\$/y;

/**
 * Splits SQL text into statements at `;`, outside quotes, dollar quotes and comments, and drops the
 * comments. Whitespace runs become one space.
 */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      current += ' ';
      continue;
    }
    DOLLAR.lastIndex = i;
    const dollar = c === '$' ? DOLLAR.exec(sql) : null;
    if (c === "'" || c === '"' || dollar) {
      const close = dollar ? dollar[0] : c;
      const end = sql.indexOf(close, i + close.length);
      const stop = end < 0 ? sql.length : end + close.length;
      current += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === ';') {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
    i++;
  }
  out.push(current);
  return out.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s !== '');
}
