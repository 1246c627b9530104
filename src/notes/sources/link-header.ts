/** The `rel="next"` target of an RFC 8288 Link header, as GitHub sends it for paginated lists. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!m?.[1] || !m[2]) continue;
    const rels = /\brel\s*=\s*"?([^";]*)"?/i.exec(m[2])?.[1]?.split(/\s+/) ?? [];
    if (rels.includes('next')) return m[1];
  }
  return undefined;
}
