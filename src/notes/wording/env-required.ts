import type { EnvTemplate } from './env-names';

// `n` is a variable (@N) or a pronoun pointing back at the last variable named ("... refuses to boot
// without it"). Several phrasings per family, all matched on the lower-cased template.
const NAME = '(?<n>@\\d+|it|them|this variable|that variable|the new variable)';
const PATTERNS: RegExp[] = [
  // "@0 is now required", "@0 becomes mandatory", "@0 will be required from this release"
  `${NAME}\\s+(?:is|are|becomes|become|will be|is now|are now)\\s+(?:now\\s+)?(?:required|mandatory|compulsory)`,
  // "@0 must be set", "@0 must now be defined", "@0 needs to be set"
  `${NAME}\\s+(?:must|has to|have to|needs to|need to)\\s+(?:now\\s+)?(?:be\\s+)?(?:set|defined|provided|present|configured)`,
  // "refuses to boot without @0", "won't start without it", "fails to start unless @0 is set"
  `\\b(?:refuses?|refusing|fails?|will fail|won't|will not|does not|doesn't|cannot|can't|can not)\\s+(?:to\\s+)?(?:boot|start|come up|run)(?:\\s+up)?\\s+(?:without|unless)\\s+(?:setting\\s+|a value for\\s+)?${NAME}`,
  // "without @0 the server will not start", "if @0 is missing, engram exits at boot"
  `\\bwithout\\s+${NAME}(?:\\s+set)?,?\\s+(?:the\\s+)?(?:server|app|application|engram|container|release)\\s+(?:will not|won't|refuses to|fails to|does not|doesn't|cannot)\\s+(?:boot|start)`,
  `\\bif\\s+${NAME}\\s+is\\s+(?:missing|unset|not set|empty)\\b[^.]{0,40}\\b(?:exits|crash(?:es)?|refuses|fails|aborts|stops)`,
  // "new required variable: @0", "required environment variable @0", "requires @0 (to be set)"
  `\\b(?:new\\s+)?(?:required|mandatory)\\s+(?:environment\\s+|env\\s+)?(?:variable|setting|var)s?:?\\s+${NAME}`,
  `\\brequires?\\s+(?:the\\s+)?(?:environment\\s+variable\\s+|variable\\s+|env\\s+var\\s+)?${NAME}(?!\\s+or\\s+(?:later|newer))`,
  // "set @0 in your .env", "add @0 to the environment", "define @0 in compose"
  `\\b(?:set|add|define|export)\\s+${NAME}\\s+(?:in|to|into)\\s+(?:your\\s+|the\\s+)?(?:\\.env|env file|environment|compose|docker-compose)`,
  // "@0 no longer has a default", "@0 has no default value"
  `${NAME}\\s+(?:no longer has|has no|now has no)\\s+(?:a\\s+)?default`,
].map((p) => new RegExp(p, 'g'));

/**
 * Variables a sentence declares required. `previous` is the last variable named before this sentence
 * in the same paragraph, for pronouns at the start of a sentence.
 */
export function findRequiredEnv(t: EnvTemplate, previous?: string): string[] {
  const out: string[] = [];
  for (const pattern of PATTERNS) {
    for (const m of t.template.matchAll(pattern)) {
      const ref = m.groups?.n ?? '';
      const name = ref.startsWith('@')
        ? t.names[Number(ref.slice(1))]
        : antecedent(t, m.index + m[0].lastIndexOf(ref), previous);
      if (name && !out.includes(name)) out.push(name);
    }
  }
  return out;
}

function antecedent(t: EnvTemplate, before: number, previous: string | undefined): string | undefined {
  let last: string | undefined = previous;
  for (const m of t.template.slice(0, before).matchAll(/@(\d+)/g)) last = t.names[Number(m[1])] ?? last;
  return last;
}
