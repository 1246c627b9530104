/**
 * `npm run docs:schemas`: writes the JSON Schema of every plan and record the library hands out,
 * generated from the zod schemas the library validates them with, and an index with their fields.
 * test/unit/docs/schemas.test.ts fails when the committed files differ from what this produces.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  BackupManifestSchema,
  BackupPlanSchema,
  BackupResultSchema,
  HopRecordSchema,
  MigrationAnalysisSchema,
  ReleaseNotesSchema,
  RestorePlanSchema,
  RestoreResultSchema,
  RollbackPlanSchema,
  RollbackResultSchema,
  StatusOutputSchema,
  UpgradePathSchema,
  UpgradePlanSchema,
  UpgradeResultSchema,
  VerifyReportSchema,
} from '../../src/index';

interface Documented {
  name: string;
  schema: z.ZodType;
  /** Which call returns it and which takes it, in one or two sentences. */
  about: string;
}

const DOCUMENTED: Documented[] = [
  {
    name: 'ReleaseNotes',
    schema: ReleaseNotesSchema,
    about:
      'One release as `parseReleaseNotes` returns it (and each element of what `parseChangelog`, `parseGitHubReleases`, `readChangelog`, `readReleaseDirectory` and `fetchGitHubReleases` return). Every finding carries the line of the notes it came from.',
  },
  {
    name: 'UpgradePath',
    schema: UpgradePathSchema,
    about:
      'The route `planUpgradePath` returns: the hops from the running version to the target, each with the reason it stops there, its breaking changes, env changes, manual steps, backup and rollback strategy. `describePath` prints it; `applyUpgrade` takes it.',
  },
  {
    name: 'UpgradePlan',
    schema: UpgradePlanSchema,
    about:
      "What `applyUpgrade` returns and `executeUpgrade` executes (also what `engram-upgrade plan --save` writes and `apply --plan` reads): the path's hops with their image, env edits and online-migration decision, the deployment the plan is bound to, and the ordered steps.",
  },
  {
    name: 'BackupPlan',
    schema: BackupPlanSchema,
    about: 'What `backup` returns and `executeBackup` executes.',
  },
  {
    name: 'BackupManifest',
    schema: BackupManifestSchema,
    about:
      "The `manifest.json` of a finished backup, written last (also `BackupResult.manifest`). Checks a JSON Schema cannot state (`roles` matches `roleSpecs`, memberships stay within the backup's roles, `files` lists exactly `db.dump`) are made by the library when it loads one.",
  },
  {
    name: 'RestorePlan',
    schema: RestorePlanSchema,
    about: 'What `restore` returns and `executeRestore` executes.',
  },
  {
    name: 'HopRecord',
    schema: HopRecordSchema,
    about:
      'A finished hop as `executeUpgrade` records it for rollback: each element of `UpgradeResult.hops` and `UpgradeFailedError.hops`, and each hop line of `<stateDir>/<project>/hops.jsonl`.',
  },
  {
    name: 'RollbackPlan',
    schema: RollbackPlanSchema,
    about:
      'What `rollback` returns and `executeRollback` executes: the recorded hops it undoes, newest first, how each is undone and why, and what it costs in data.',
  },
  {
    name: 'MigrationAnalysis',
    schema: MigrationAnalysisSchema,
    about:
      "What `analyzeMigration` reads from one Ecto migration file: phase, irreversible marker and lock risk, each with the line that says so. Upgrade plans quote the parts they use in each hop's `online.pending`.",
  },
  {
    name: 'UpgradeResult',
    schema: UpgradeResultSchema,
    about:
      'What `executeUpgrade` returns (and `engram-upgrade apply --json` prints): the run, the hops it finished, the time of each step and a paragraph for a person.',
  },
  {
    name: 'RollbackResult',
    schema: RollbackResultSchema,
    about:
      'What `executeRollback` returns (the `result` of `engram-upgrade rollback --json`): the run, the versions it went from and to, the time of each step and a paragraph for a person.',
  },
  {
    name: 'BackupResult',
    schema: BackupResultSchema,
    about:
      'What `executeBackup` returns (the `result` of `engram-upgrade backup --json`): the backup directory and the manifest it wrote.',
  },
  {
    name: 'RestoreResult',
    schema: RestoreResultSchema,
    about:
      'What `executeRestore` returns (the `result` of `engram-upgrade restore --json`): the restored database, where the replaced one is kept, and the migration head.',
  },
  {
    name: 'VerifyReport',
    schema: VerifyReportSchema,
    about:
      'What `verifyBackup` returns (and `engram-upgrade verify --json` prints): the level checked, archive entries and tables compared, and whether the signature was checked.',
  },
  {
    name: 'StatusOutput',
    schema: StatusOutputSchema,
    about:
      "What `engram-upgrade status --json` prints: the running version and build, the image and where the compose files write it, the migrations and the upgrades recorded for rollback. `CLI_OUTPUT_SCHEMAS` has the schema of every command's `--json` document.",
  },
];

export const SCHEMA_DIR = fileURLToPath(new URL('.', import.meta.url));

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  pattern?: string;
};

/** The files `npm run docs:schemas` writes, by name inside `docs/schemas/`, with their text. */
export function schemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const index = [
    '# Plan and record schemas',
    '',
    '<!-- Generated by `npm run docs:schemas` from the zod schemas in src/. Do not edit by hand. -->',
    '',
    'Every plan and record the library hands out is plain JSON that validates against the zod schema',
    'exported next to its type (`UpgradePlanSchema` for `UpgradePlan`, …). The files here are the same',
    'schemas as JSON Schema (draft 2020-12), for tools that do not run TypeScript. They describe the',
    'values as the library produces them: unknown properties are not allowed.',
    '',
    ...table(
      ['schema', 'zod schema', 'JSON Schema'],
      DOCUMENTED.map((d) => [
        `[${d.name}](#${d.name.toLowerCase()})`,
        `\`${d.name}Schema\``,
        `[${fileOf(d)}](${fileOf(d)})`,
      ]),
    ),
  ];
  for (const d of DOCUMENTED) {
    const generated = z.toJSONSchema(d.schema, { io: 'output', target: 'draft-2020-12' }) as JsonSchema & {
      $schema?: string;
    };
    const { $schema, ...rest } = generated;
    const doc = { $schema, title: d.name, description: plain(d.about), ...rest };
    files.set(fileOf(d), `${JSON.stringify(doc, null, 2)}\n`);
    const rows = fieldRows(rest, '').map((r) => [`\`${r.path}\``, r.type, r.required ? 'yes' : '']);
    index.push('', `## ${d.name}`, '', d.about, '', ...table(['field', 'type', 'required'], rows));
  }
  files.set('README.md', `${index.join('\n')}\n`);
  return files;
}

/** A markdown table with its columns padded, as the formatter writes one. */
function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function fileOf(d: Documented): string {
  return `${d.name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.schema.json`;
}

/** Markdown backticks out, for the JSON description. */
function plain(text: string): string {
  return text.replace(/`/g, '');
}

interface Row {
  path: string;
  type: string;
  required: boolean;
}

/** One row per field, nested objects and array items flattened into dotted paths. */
function fieldRows(schema: JsonSchema, prefix: string): Row[] {
  const rows: Row[] = [];
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants?.every((v) => v.properties)) {
    for (const v of variants) {
      const tag = Object.entries(v.properties!).find(([, p]) => p.const !== undefined);
      const label = tag ? ` (${tag[0]} = ${JSON.stringify(tag[1].const)})` : '';
      for (const row of fieldRows(v, prefix)) rows.push({ ...row, path: `${row.path}${label}` });
    }
    return rows;
  }
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    rows.push({ path, type: typeOf(prop), required: schema.required?.includes(key) ?? false });
    const inner = prop.type === 'array' ? prop.items : prop;
    const innerPath = prop.type === 'array' ? `${path}[]` : path;
    if (inner && (inner.properties || (inner.oneOf ?? inner.anyOf)?.every((v) => v.properties))) {
      rows.push(...fieldRows(inner, innerPath));
    }
  }
  return rows;
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((e) => `\`${JSON.stringify(e)}\``).join(' \\| ');
  const variants = s.oneOf ?? s.anyOf;
  if (variants) return variants.map(typeOf).join(' \\| ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const named = types.map((t) => {
    if (t === 'array')
      return `${s.items ? typeOf(s.items) : 'unknown'}[]`.replace(/^(.* \\\| .*)\[\]$/, '($1)[]');
    if (t === 'object' && !s.properties && typeof s.additionalProperties === 'object') {
      const value = Object.keys(s.additionalProperties).length ? typeOf(s.additionalProperties) : 'any JSON';
      return `record of ${value}`;
    }
    return t;
  });
  return named.join(' \\| ') || 'any JSON';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = schemaFiles();
  for (const [name, text] of files) writeFileSync(join(SCHEMA_DIR, name), text);
  process.stdout.write(`wrote ${files.size} files to docs/schemas/\n`);
}
