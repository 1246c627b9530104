import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openDeployment } from '../deployment/deployment';
import { InvalidInputError, UpgradeError } from '../errors';
import { findInterruptedRun } from '../execute/saved-plan';
import { defaultStateDir } from '../execute/state-dir';
import { describePath } from '../plan';
import { resumeInterrupted } from '../recover/resume-interrupted';
import { undoOutcome } from '../recover/undo-outcome';
import { executeRollback } from '../rollback/execute-rollback';
import { rollback } from '../rollback/plan-rollback';
import { inspectDeployment } from '../upgrade/deployment-state';
import { executeUpgrade } from '../upgrade/execute-upgrade';
import { hopsInPlace, readHopHistory } from '../upgrade/hop-record';
import { applyUpgrade } from '../upgrade/plan-upgrade';
import { abs, common, envValues, need, notesOptions, parsed } from './cli-args';
import { type CliIo, confirm, declined, EXIT } from './cli-output';
import { knownSecrets, outputMode, paint, runOutput, streamed } from './run-output';
import { pathFromRunning } from './running-path';

/** The step ids of a plan read from a file or a journal (validated later, by the executor). */
const stepsOf = (plan: unknown): string[] => {
  const steps = (plan as { steps?: unknown }).steps;
  return Array.isArray(steps) ? steps.map((s) => String((s as { id?: unknown })?.id)) : [];
};

export async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() => parseArgs({ args: argv, options: common, strict: true }));
  const dep = await openDeployment({ project: need(values.project, '--project') });
  const s = await inspectDeployment(dep);
  const hops = hopsInPlace(await readHopHistory(abs(values['state-dir']) ?? defaultStateDir(), dep.project));
  const summary = {
    project: s.project,
    version: s.version,
    buildSha: s.buildSha,
    health: s.health.status,
    image: s.image,
    imageLocation: s.imageLocation,
    imageProblem: s.imageProblem,
    migrations: { applied: s.applied.length, head: s.head },
    compose: s.files,
    recordedHops: hops.map((h) => ({ from: h.from, to: h.to, finishedAt: h.finishedAt })),
  };
  if (values.json) io.out(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    const c = paint(io);
    io.out(
      `${c.bold(s.project)}: Engram ${s.version ? c.green(s.version) : c.red('(no answer on /api/health)')}${s.buildSha ? ` (build ${s.buildSha})` : ''}\n`,
    );
    io.out(`  image        ${s.image.reference} (${s.image.id.slice(7, 19)})\n`);
    io.out(
      `  written in   ${s.imageLocation ? `${s.imageLocation.path} (${s.imageLocation.kind})` : (s.imageProblem ?? '?')}\n`,
    );
    io.out(`  migrations   ${s.applied.length} applied, head ${s.head ?? 'none'}\n`);
    io.out(
      `  recorded     ${hops.length ? hops.map((h) => `${h.from} → ${h.to}`).join(', ') : 'no upgrade to roll back'}\n`,
    );
  }
  return EXIT.ok;
}

export async function planCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...common,
        to: { type: 'string' },
        ...notesOptions,
        'backup-dir': { type: 'string' },
        env: { type: 'string', multiple: true },
        'no-migrate-ahead': { type: 'boolean' },
        save: { type: 'string' },
      },
    }),
  );
  const env = envValues(values.env, io);
  const dep = await openDeployment({ project: need(values.project, '--project') });
  const path = await pathFromRunning(dep, values, 'plan', io);
  const plan = await applyUpgrade(dep, path, {
    backupDir: abs(values['backup-dir']),
    stateDir: abs(values['state-dir']),
    env,
    online: !values['no-migrate-ahead'],
  });
  if (values.save) await writeFile(values.save, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  if (values.json) io.out(`${JSON.stringify(plan, null, 2)}\n`);
  else {
    io.out(`${describePath(path)}\n\nSteps (nothing has changed yet):\n`);
    for (const s of plan.steps) io.out(`  ${s.id.padEnd(18)} ${s.action}\n`);
    for (const h of plan.hops)
      io.out(
        `  ${h.from} → ${h.to}: ${h.online.qualifies ? 'migrates ahead while the old version serves' : `stop-then-migrate (${h.online.reasons[0]})`}\n`,
      );
    const c = paint(io);
    for (const w of plan.warnings) io.out(`  ${c.yellow('warning:')} ${w}\n`);
    if (values.save)
      io.out(
        `\nSaved to ${values.save}; run: engram-upgrade apply --project ${dep.project} --plan ${values.save}\n`,
      );
  }
  return EXIT.ok;
}

export async function applyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...common,
        plan: { type: 'string' },
        env: { type: 'string', multiple: true },
        ...streamed,
        resume: { type: 'string' },
        'allow-manual-steps': { type: 'boolean' },
      },
    }),
  );
  const mode = outputMode(values);
  const env = envValues(values.env, io);
  const dep = await openDeployment({ project: need(values.project, '--project') });
  const file = need(values.plan, '--plan');
  let plan: unknown;
  try {
    plan = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InvalidInputError({
      message: `Could not read the plan ${file}: ${(err as Error).message}`,
      cause: err,
    });
  }
  const resume = values.resume;
  if (resume !== undefined && resume !== 'continue' && resume !== 'rollback') {
    throw new InvalidInputError({
      message: `--resume takes continue or rollback, not ${JSON.stringify(resume.slice(0, 20))}`,
    });
  }
  const steps = stepsOf(plan);
  if (
    !(await confirm(
      io,
      values.yes,
      `Execute the upgrade plan in ${file} (${steps.length} steps) on ${dep.project}?`,
    ))
  ) {
    return declined(io);
  }
  const out = runOutput(io, mode, { title: 'upgrade', steps, secrets: await knownSecrets(dep, env) });
  const result = await executeUpgrade(dep, plan as Parameters<typeof executeUpgrade>[1], {
    env,
    resume,
    allowManualSteps: values['allow-manual-steps'] ?? false,
    onEvent: out.onEvent,
    signal: io.signal,
    confirm: io.ask
      ? async (r) =>
          /^y(es)?$/i.test(
            (await io.ask!(`${r.text}\n${r.commands.join('\n')}\nDone / agree? [y/N] `))?.trim() ?? '',
          )
      : undefined,
  }).finally(out.stop);
  out.done(result, `\n${paint(io).green(result.summary)}\n`);
  return EXIT.ok;
}

export async function rollbackCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...common,
        hops: { type: 'string' },
        ...streamed,
        'to-version': { type: 'string' },
        'accept-data-loss': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
    }),
  );
  const mode = outputMode(values);
  const dep = await openDeployment({ project: need(values.project, '--project') });
  if (values.hops !== undefined && !/^\d{1,3}$/.test(values.hops)) {
    throw new InvalidInputError({
      message: `--hops takes a number, not ${JSON.stringify(values.hops.slice(0, 20))}`,
    });
  }
  const plan = await rollback(dep, {
    stateDir: abs(values['state-dir']),
    to: values['to-version'] ? { version: values['to-version'] } : { hops: Number(values.hops ?? 1) },
    acceptDataLoss: values['accept-data-loss'],
  });
  const out = runOutput(io, mode, {
    title: 'rollback',
    steps: stepsOf(plan),
    secrets: await knownSecrets(dep),
  });
  const c = paint(io, mode);
  out.say(`Rollback of ${dep.project} from ${plan.from} to ${plan.to}:\n`);
  for (const h of plan.hops) out.say(`  ${h.from} ← ${h.to}: ${h.strategy} — ${h.why}\n`);
  out.say(`  writes since the upgrade: ${plan.data.writesSinceUpgrade}\n`);
  for (const w of plan.warnings) out.say(`  ${c.yellow('warning:')} ${w}\n`);
  if (values['dry-run']) {
    out.done(plan, '');
    return EXIT.ok;
  }
  if (!(await confirm(io, values.yes, `Roll ${dep.project} back to ${plan.to}?`))) {
    return declined(io);
  }
  const result = await executeRollback(dep, plan, {
    acceptDataLoss: values['accept-data-loss'],
    onEvent: out.onEvent,
    signal: io.signal,
  }).finally(out.stop);
  out.done({ plan, result }, `\n${c.green(result.summary)}\n`);
  return EXIT.ok;
}

export async function recoverCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...common,
        ...streamed,
        resume: { type: 'string' },
        env: { type: 'string', multiple: true },
        'accept-data-loss': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
    }),
  );
  const mode = outputMode(values);
  const env = envValues(values.env, io);
  const dep = await openDeployment({ project: need(values.project, '--project') });
  const stateDir = abs(values['state-dir']) ?? defaultStateDir();
  const found = await findInterruptedRun(stateDir, dep.project);
  const out = runOutput(io, mode, {
    title: found?.header.planKind ?? 'recover',
    steps: stepsOf(found?.plan ?? {}),
    secrets: await knownSecrets(dep, env),
  });
  if (!found) {
    out.done({ interrupted: null }, `${dep.project}: no interrupted run.\n`);
    return EXIT.ok;
  }
  const where =
    found.summary.inFlight ?? found.summary.failed ?? found.summary.finished.at(-1) ?? 'its start';
  out.say(
    `${dep.project}: a ${found.header.planKind} run (${found.run}, plan ${found.header.planId}) was interrupted at ${where}; ${found.summary.finished.length} step(s) had finished.\n`,
  );
  if (values['dry-run'] || values.resume === undefined) {
    out.done(
      { interrupted: found },
      values.resume === undefined && !values['dry-run']
        ? 'Pass --resume continue (finish it) or --resume rollback (undo its unfinished part).\n'
        : '',
    );
    return EXIT.ok;
  }
  if (values.resume !== 'continue' && values.resume !== 'rollback') {
    throw new InvalidInputError({
      message: `--resume takes continue or rollback, not ${JSON.stringify(values.resume.slice(0, 20))}`,
    });
  }
  const resume = values.resume;
  if (
    !(await confirm(
      io,
      values.yes,
      `${resume === 'continue' ? 'Finish' : 'Undo'} that ${found.header.planKind}?`,
    ))
  ) {
    return declined(io);
  }
  let done: Awaited<ReturnType<typeof resumeInterrupted>>;
  try {
    done = await resumeInterrupted(dep, {
      resume,
      stateDir,
      env,
      acceptDataLoss: values['accept-data-loss'],
      onEvent: out.onEvent,
      signal: io.signal,
    }).finally(out.stop);
  } catch (err) {
    // An undone run is reported by its executor as failed (its plan did not happen), which is what
    // was asked for here: success, when its journal shows every undo finished.
    const undo = resume === 'rollback' ? await undoOutcome(found.path) : undefined;
    if (!undo?.clean || !(err instanceof UpgradeError)) throw err;
    out.done(
      { kind: found.header.planKind, run: found.run, undone: undo.undone, report: err.toJSON() },
      `${found.header.planKind} run ${found.run}: undone (${undo.undone.length} step(s)). ${err.unchanged ?? err.message}\n`,
    );
    return EXIT.ok;
  }
  out.done(
    done,
    `${found.header.planKind} run ${found.run}: ${resume === 'continue' ? 'finished' : 'undone'}.\n`,
  );
  return EXIT.ok;
}
