import { createHash, randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { checkedPlan } from '../backup/checked-plan';
import type { SigningKeyRef } from '../backup/manifest-signature';
import { loadSigningKey, type SigningKeySource } from '../backup/signing-key';
import { parseEnvFile } from '../compose/env-file';
import { healthDeadlineMs } from '../compose/health-deadline';
import { withTag } from '../compose/image-reference';
import { locateImageInFiles } from '../compose/locate-image';
import type { Deployment } from '../deployment/deployment';
import { envMap } from '../docker/env-entries';
import { InvalidInputError, UpgradeError } from '../errors';
import { bindingOf } from '../execute/plan-binding';
import { defaultStateDir } from '../execute/state-dir';
import type { ExecStep } from '../execute/step';
import { type UpgradePath, UpgradePathSchema } from '../plan/upgrade-path';
import { type RehearsalReport, RehearsalReportSchema } from '../rehearse/rehearsal-report';
import { type DeploymentState, inspectDeployment } from './deployment-state';
import { readImageMigrations } from './image-migrations';
import { classifyManualStep } from './manual-steps';
import { decideOnline } from './online-migration';
import { pullImage } from './pull-image';
import { chooseDriver, type RecreateDriverOption } from './recreate-driver';
import { type PlannedEnvEdit, type PlannedHop, type UpgradePlan, UpgradePlanSchema } from './upgrade-plan';

export interface ApplyUpgradeOptions {
  /** Where backups go (required when a hop needs one). */
  backupDir?: string;
  /** Journals, locks and the kept copies of edited files. @default defaultStateDir() */
  stateDir?: string;
  /**
   * Values for variables a release newly requires. They are not stored in the plan (only a hash):
   * pass the same `env` to `executeUpgrade`.
   */
  env?: Record<string, string>;
  /** @default 'digest' */
  pin?: 'digest' | 'tag';
  /** What happens to a renamed variable's old line in `.env`. @default 'comment' */
  renamedLines?: 'comment' | 'remove';
  /**
   * How long a new version may take to migrate and report healthy. @default the service's compose
   * healthcheck: start period + interval × retries, at least 60 s
   */
  healthTimeoutMs?: number;
  /** Backup verification level. @default 1 */
  verifyLevel?: 1 | 2;
  /**
   * Sign the hops' backups (HMAC-SHA256 `manifest.sig`), as `backup({ signingKey })` does. The plan
   * records where the key is and its id, never the key; the executor reads it again.
   */
  signingKey?: SigningKeySource;
  /**
   * Run a hop's migrations ahead, from the new image in a one-off container while the old version
   * keeps serving, when every pending one only expands the schema. Planning then pulls each hop's
   * image to read its migrations (a pull changes no deployment). @default true
   */
  online?: boolean;
  /**
   * How the app container is recreated: `compose` runs `docker compose up -d`; `engine` does what
   * compose does over the Engine API (for hosts without the compose plugin: new container created while
   * the old one serves, then swapped); `auto` takes compose when `docker compose version` answers.
   * Recorded in the plan. @default 'auto'
   */
  driver?: RecreateDriverOption;
  /** A rehearsal of the same path (`rehearse`): its timings become each hop's `estimate`. */
  estimates?: RehearsalReport;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Plans taking the deployment along `path`, hop by hop. Reads the deployment (containers, health,
 * compose files, migrations) and changes nothing. Refuses, before any change, a deployment that does
 * not run `path.from`, a compose file with no image to pin, and a newly required variable with no value.
 */
export async function applyUpgrade(
  deployment: Deployment,
  pathInput: UpgradePath,
  options: ApplyUpgradeOptions = {},
): Promise<UpgradePlan> {
  const path = UpgradePathSchema.parse(pathInput);
  const state = await inspectDeployment(deployment);
  if (state.version !== path.from) {
    throw new UpgradeError('INVALID_INPUT', {
      message:
        state.version === null
          ? `The app does not answer /api/health (${state.health.error ?? `status ${state.health.status}`}), so the running version cannot be confirmed`
          : `The path starts at ${path.from}, but the deployment runs ${state.version}`,
      unchanged: 'Nothing was changed',
      hint:
        state.version === null
          ? 'Bring the app up healthy first (docker compose up -d), then plan again'
          : `Plan the path from ${state.version}`,
    });
  }
  const now = (options.now ?? (() => new Date()))();
  const env = envFileValues(state);
  const composeFiles = state.configFiles
    .filter((f) => f.path !== state.files.envFile)
    .map((f) => ({ path: f.path, text: f.text }));
  const located = locateImageInFiles(composeFiles, deployment.appService, env);
  const backupDir = options.backupDir ?? null;
  if (backupDir !== null && !isAbsolute(backupDir)) {
    throw new InvalidInputError({
      message: `backupDir ${JSON.stringify(backupDir)} is not an absolute path`,
    });
  }
  const stateDir = options.stateDir ?? defaultStateDir();
  const recreate = await chooseDriver(deployment, state.files, options.driver ?? 'auto', {
    appLabels: state.app.labels,
  });
  const containerEnv = envMap(state.app.env);
  const known = new Set([...Object.keys(containerEnv), ...env.keys()]);
  const estimates = options.estimates
    ? checkedPlan(RehearsalReportSchema, options.estimates, 'rehearsal report')
    : undefined;
  if (estimates && estimates.project !== deployment.project) {
    throw new InvalidInputError({
      message: `The rehearsal report is of project ${estimates.project}, not ${deployment.project}`,
      hint: 'Pass the report of a rehearsal of this deployment, or none',
    });
  }
  const signing = options.signingKey ? (await loadSigningKey(options.signingKey)).ref : null;
  const hops: PlannedHop[] = [];
  const steps: ExecStep[] = [];
  const warnings: string[] = [...recreate.warnings];
  const knownApplied = new Set(state.applied);
  for (const [i, hop] of path.hops.entries()) {
    const index = i + 1;
    const image = withTag(located.reference, hop.to);
    let online = decideOnline([], { oneWay: true, backupMode: null }, null);
    online = { ...online, reasons: ['online migration was not asked for (online: false)'] };
    if (options.online !== false) {
      const pulled = await pullImage(deployment.docker, image);
      const shipped = (await readImageMigrations(deployment.docker, pulled.imageId)).migrations;
      const pending = shipped.filter((m) => !knownApplied.has(m.version));
      for (const m of shipped) knownApplied.add(m.version);
      online = decideOnline(
        pending,
        { oneWay: hop.oneWay, backupMode: hop.backup.required ? hop.backup.mode : null },
        pulled.imageId,
      );
    }
    const envEdits: PlannedEnvEdit[] = [];
    for (const r of hop.envChanges.renames) {
      if (known.has(r.from) && !known.has(r.to)) {
        envEdits.push({
          op: 'rename',
          from: r.from,
          to: r.to,
          version: r.version,
          keep: options.renamedLines ?? 'comment',
        });
        known.add(r.to);
        known.delete(r.from);
      } else if (known.has(r.from)) {
        warnings.push(
          `${r.from} and ${r.to} are both set; ${r.version} reads only ${r.to}, so ${r.from} is ignored from then on.`,
        );
      }
    }
    for (const req of hop.envChanges.required) {
      if (known.has(req.name)) continue;
      const value = options.env?.[req.name];
      if (value === undefined) {
        throw new UpgradeError('INVALID_INPUT', {
          message: `Engram ${req.version} requires ${req.name} (release notes line ${req.line}), and the deployment does not set it`,
          unchanged: 'Nothing was changed',
          hint: `Pass its value as applyUpgrade(…, { env: { ${req.name}: '…' } }) (and the same to executeUpgrade), or add it to ${state.files.envFile ?? 'the env file'} yourself and plan again`,
          version: req.version,
        });
      }
      envEdits.push({ op: 'set', name: req.name, version: req.version, valueSha256: sha256(value) });
      known.add(req.name);
    }
    const rehearsed = estimates?.hops.find((h) => h.from === hop.from && h.to === hop.to);
    const estimate = rehearsed
      ? {
          ms: rehearsed.ms,
          downtimeMs: rehearsed.downtimeMs,
          rollbackMs: rehearsed.rollback?.ok ? rehearsed.rollback.ms : null,
        }
      : null;
    const planned: PlannedHop = { ...hop, index, image, envEdits, online, estimate };
    hops.push(planned);
    steps.push(
      ...hopSteps(planned, {
        backupDir,
        verifyLevel: options.verifyLevel ?? 1,
        envNames: [...known],
        signing,
      }),
    );
  }
  const healthTimeoutMs = options.healthTimeoutMs ?? healthDeadlineMs(composeFiles, deployment.appService);
  return UpgradePlanSchema.parse({
    kind: 'upgrade',
    formatVersion: 1,
    id: `${deployment.project}-upgrade-${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`,
    createdAt: now.toISOString(),
    project: deployment.project,
    appService: deployment.appService,
    from: path.from,
    to: path.to,
    boundTo: bindingOf(state),
    compose: {
      workingDir: state.files.workingDir,
      configFiles: state.files.configFiles,
      envFile: state.files.envFile,
      image: {
        path: located.path,
        kind: located.kind,
        reference: located.reference,
        ...(located.kind === 'variable' ? { variable: located.variable } : {}),
      },
    },
    stateDir,
    backupDir,
    pin: options.pin ?? 'digest',
    driver: recreate.driver,
    healthTimeoutMs,
    hops,
    steps,
    warnings,
  } satisfies UpgradePlan);

  function hopSteps(
    hop: PlannedHop,
    o: { backupDir: string | null; verifyLevel: 1 | 2; envNames: string[]; signing: SigningKeyRef | null },
  ): ExecStep[] {
    const g = `hop-${hop.index}`;
    const id = (s: string) => `hop${hop.index}.${s}`;
    const out: ExecStep[] = [
      {
        id: id('pull'),
        kind: 'pull',
        group: g,
        action: `Pull ${hop.image} and record its image id and digest`,
        undo: 'Nothing to undo: the image stays local; nothing is pruned',
        input: { reference: hop.image, version: hop.to },
      },
      {
        id: id('migrations'),
        kind: 'read-migrations',
        group: g,
        action: `Read the migrations ${hop.to} ships from the image's files and list those this database lacks`,
        undo: 'Nothing to undo: reading only',
        input: { hasBackup: hop.backup.required },
      },
    ];
    out.push({
      id: id('running'),
      kind: 'note-running',
      group: g,
      action: `Record the running container, its image id and the applied migrations (what a rollback returns to)`,
      undo: 'Nothing to undo: reading only',
      input: {},
    });
    if (hop.backup.required) {
      if (!o.backupDir) {
        throw new InvalidInputError({
          message: `Hop ${hop.from} → ${hop.to} needs a ${hop.backup.mode} backup (${hop.backup.reason}), and no backupDir was given`,
          hint: 'Pass backupDir: an absolute directory with room for a dump of the database',
        });
      }
      out.push({
        id: id('backup'),
        kind: 'backup',
        group: g,
        action: `Take a ${hop.backup.mode} backup into ${o.backupDir}${o.signing ? `, signed (key id ${o.signing.keyId}),` : ''} and verify it (level ${o.verifyLevel})${hop.backup.mode === 'quiesced' ? '; the app stays stopped until the new version starts' : ''}`,
        undo: hop.backup.mode === 'quiesced' ? 'Start the app again' : 'Nothing to undo: the backup is kept',
        input: { mode: hop.backup.mode, dir: o.backupDir, verifyLevel: o.verifyLevel, signing: o.signing },
      });
    }
    if (hop.online.qualifies) {
      out.push({
        id: id('premigrate'),
        kind: 'pre-migrate',
        group: g,
        action: `Run the ${hop.online.pending.length} expand migration(s) of ${hop.to} (${hop.online.pending.map((m) => m.version).join(', ')}) from the new image in a one-off container, while ${hop.from} keeps serving`,
        undo: `Revert them with the migrator from the new image; ${hop.from} keeps serving`,
        input: {},
      });
    }
    const manual = hop.manualSteps.map((m) => ({ ...m, ...classifyManualStep(m, o.envNames) }));
    const undecided = manual.filter((m) => m.handling !== 'covered');
    if (undecided.length) {
      out.push({
        id: id('manual'),
        kind: 'manual-steps',
        group: g,
        action: `Ask before the "Upgrade from ${undecided[0]!.section.from} to ${undecided[0]!.section.to}" steps the library does not do itself (${undecided.length}); nothing changes until each is agreed`,
        undo: 'Nothing to undo',
        input: { steps: undecided },
      });
    }
    const edits = [
      ...hop.envEdits.map((e) => (e.op === 'rename' ? `rename ${e.from} to ${e.to}` : `set ${e.name}`)),
      `point ${deployment.appService} at ${hop.image}${options.pin === 'tag' ? '' : ' pinned by digest'}`,
    ];
    out.push(
      {
        id: id('config'),
        kind: 'edit-config',
        group: g,
        action: `Edit the compose project: ${edits.join('; ')} (atomically; originals kept)`,
        undo: 'Put the kept originals back, byte for byte',
        input: { envEdits: hop.envEdits },
      },
      {
        id: id('recreate'),
        kind: 'recreate',
        group: g,
        // Not --no-deps: compose hashes a service without its depends_on then, and a later plain
        // `docker compose up -d` would recreate the container again.
        action:
          recreate.driver === 'compose'
            ? `Recreate ${deployment.appService} with docker compose up -d ${deployment.appService} (its dependencies are left as they are unless their own config changed)`
            : `Recreate ${deployment.appService} over the Engine API as compose would (${recreate.why}): create the new container with every setting carried over while the old one serves, stop the old one, swap names, start the new one`,
        undo: `Stop it, revert the migrations it applied (${hop.rollback === 'restore' ? 'restore the backup' : 'migrator rollback from the new image'}), put the old config back and start ${hop.from} again`,
        input: { rollback: hop.rollback },
      },
      {
        id: id('watch'),
        kind: 'await-migrations',
        group: g,
        action: `Follow the log and schema_migrations until every migration of ${hop.to} is applied; a crash or restart fails the hop`,
        undo: 'Undone with the recreate step',
        input: {},
      },
      {
        id: id('health'),
        kind: 'health-gate',
        group: g,
        action: `Wait for /api/health to report ${hop.to} and /api/health/deep to be ok`,
        undo: 'Undone with the recreate step',
        input: { version: hop.to },
      },
      ...(undecided.some((m) => m.handling === 'release-call')
        ? [
            {
              id: id('release-calls'),
              kind: 'release-calls',
              group: g,
              action: `Run the notes' Engram release calls in the new container: ${undecided
                .flatMap((m) => (m.handling === 'release-call' ? [m.argv.join(' ')] : []))
                .join('; ')}`,
              undo: 'Undone with the recreate step',
              input: { calls: undecided.filter((m) => m.handling === 'release-call') },
            } satisfies ExecStep,
          ]
        : []),
      {
        id: id('record'),
        kind: 'record-hop',
        group: g,
        action: `Record the hop (old and new image ids, pre-upgrade migrations, backup, kept files) for rollback`,
        undo: 'Nothing to undo',
        input: {},
      },
    );
    return out;
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function envFileValues(state: DeploymentState): Map<string, string> {
  const file = state.configFiles.find((f) => f.path === state.files.envFile);
  return file ? parseEnvFile(file.text, { path: file.path }).entries : new Map();
}

export { sha256 as valueHash };
