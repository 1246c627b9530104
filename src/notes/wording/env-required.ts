import type { EnvTemplate } from './env-names';

// `n` is a variable (@N) or a pronoun pointing back at the last variable named ("... refuses to boot
// without it"). Several phrasings per family, all matched on the lower-cased template.
const NAME = '(?<n>@\\d+|it|them|this variable|that variable|the new variable)';
const REQUIRES = `\\brequires?\\s+(?:the\\s+)?(?:environment\\s+variable\\s+|variable\\s+|env\\s+var\\s+)?${NAME}(?!\\s+or\\s+(?:later|newer))`;
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
  // "new required variable: @0", "required environment variable @0"
  `\\b(?:new\\s+)?(?:required|mandatory)\\s+(?:environment\\s+|env\\s+)?(?:variable|setting|var)s?:?\\s+${NAME}`,
  // "requires @0 (to be set)": only when the app or the release is what requires it (see below)
  REQUIRES,
  // "set @0 in your .env", "add @0 to the environment", "define @0 in compose"
  `\\b(?:set|add|define|export)\\s+${NAME}\\s+(?:in|to|into)\\s+(?:your\\s+|the\\s+)?(?:\\.env|env file|environment|compose|docker-compose)`,
  // "@0 no longer has a default", "@0 has no default value"
  `${NAME}\\s+(?:no longer has|has no|now has no)\\s+(?:a\\s+)?default`,
].map((p) => new RegExp(p, 'g'));
const REQUIRES_INDEX = 6;

// A requirement that holds only in some setups, or a setting offered rather than demanded. Required
// means the app will not boot or work without the variable; "managed hosts require it", "to enable
// TLS, set X" or "an optional toggle" do not say that.
const CONDITIONAL =
  /\b(?:optional(?:ly)?|opt[- ]?in|toggles?|if (?:you|your|using|running|needed|necessary|desired|wanted|applicable)|when (?:you|using|running|behind)|only (?:if|when|for|on|with|in)|(?:for|on|with|behind) (?:managed|hosted|external|remote|some|certain|specific|older|self-signed|custom)|to (?:enable|turn on|opt in|switch on)|you (?:can|may|might)|(?:can|may) (?:now |also |optionally )?be (?:set|used|provided)|in case|unless you|where needed)\b/;

// Who may "require" a variable for it to be required: the app, the release, or nobody named (the
// heading or the bullet is about the release). "managed hosts require it" is about some setups.
const APP_SUBJECT =
  /^(?:(?:engram(?:\s+v?\d+(?:\.\d+)*)?|the (?:server|app|application|container|image|release|new (?:release|version))|this (?:release|version)|startup|boot(?:ing)?|it)\b\s*)?(?:(?:now|also|then|still)\b\s*)?$/;

export interface RequiredEnvReading {
  /** Variables the app needs to boot or work, as the sentence says. */
  required: string[];
  /** Variables the sentence asks for only in some setups, each with the words that say so. */
  conditional: { name: string; why: string }[];
}

/**
 * Variables a sentence declares required. `previous` is the last variable named before this sentence
 * in the same paragraph, for pronouns at the start of a sentence.
 */
export function findRequiredEnv(t: EnvTemplate, previous?: string): RequiredEnvReading {
  const out: RequiredEnvReading = { required: [], conditional: [] };
  // Without a variable or one to point back at, no pattern can name anything.
  if (t.names.length === 0 && previous === undefined) return out;
  const segments = segmentsOf(t.template);
  PATTERNS.forEach((pattern, index) => {
    for (const m of t.template.matchAll(pattern)) {
      const ref = m.groups?.n ?? '';
      const name = ref.startsWith('@')
        ? t.names[Number(ref.slice(1))]
        : antecedent(t, m.index + m[0].lastIndexOf(ref), previous);
      if (!name || out.required.includes(name) || out.conditional.some((c) => c.name === name)) continue;
      const segment = segments.find((s) => m.index >= s.start && m.index < s.end) ?? {
        start: 0,
        end: t.template.length,
      };
      const text = t.template.slice(segment.start, segment.end);
      const condition = CONDITIONAL.exec(text)?.[0];
      // The words right before "requires", after any leading clause ("In 1.0, engram requires …").
      const subject = t.template.slice(segment.start, m.index).split(/[,:]/).at(-1)?.trim() ?? '';
      if (condition) out.conditional.push({ name, why: condition });
      else if (index === REQUIRES_INDEX && !APP_SUBJECT.test(subject)) {
        out.conditional.push({ name, why: `${subject} ${m[0].split(/\s+/)[0]}`.trim() });
      } else out.required.push(name);
    }
  });
  return out;
}

// Independent statements of one sentence: split at semicolons and spaced dashes; a parenthesis is its own.
function segmentsOf(template: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    const cut =
      c === '(' ||
      (c === ')' && depth > 0) ||
      (depth === 0 && (c === ';' || ((c === '—' || c === '–') && template[i - 1] === ' ')));
    if (!cut) continue;
    out.push({ start, end: i });
    if (c === '(') depth++;
    if (c === ')') depth--;
    start = i + 1;
  }
  out.push({ start, end: template.length });
  return out.filter((s) => s.end > s.start);
}

function antecedent(t: EnvTemplate, before: number, previous: string | undefined): string | undefined {
  let last: string | undefined = previous;
  for (const m of t.template.slice(0, before).matchAll(/@(\d+)/g)) last = t.names[Number(m[1])] ?? last;
  return last;
}
