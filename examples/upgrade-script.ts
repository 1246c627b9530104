/**
 * A custom upgrade script: plan the path from the running version to a target, print it, ask once,
 * execute it, run our own acceptance check, and roll back every hop this run made when the upgrade or
 * the check fails — all or nothing, where the library on its own keeps the hops that finished.
 *
 *   npx tsx examples/upgrade-script.ts --project engram --releases releases.json --to 1.0.0 \
 *       --backup-dir /var/backups/engram [--env ENGRAM_INSTANCE_NAME] [--yes]
 *
 * `--releases` takes a saved GitHub releases API response (`.json`) or a release-please CHANGELOG.md.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  applyUpgrade,
  type Deployment,
  describePath,
  executeRollback,
  executeUpgrade,
  type HopRecord,
  inspectDeployment,
  isUpgradeError,
  openDeployment,
  parseChangelog,
  parseGitHubReleases,
  planUpgradePath,
  type ReleaseNotes,
  rollback,
  type StepEvent,
  UpgradeError,
  UpgradeFailedError,
} from 'engram-upgrade';

export interface UpgradeScriptOptions {
  /** The compose project of the deployment. */
  project: string;
  releases: ReleaseNotes[];
  /** A version, or `latest`. */
  to: string;
  backupDir: string;
  /** Journals, locks and hop records. @default the library's default state directory */
  stateDir?: string;
  /** Values for variables a release newly requires (never printed, never stored in the plan). */
  env?: Record<string, string>;
  /** Asks the person; true to go on. */
  confirm(question: string): Promise<boolean>;
  /** Our own check once every hop is healthy; throwing rolls the whole run back. */
  accept?(deployment: Deployment): Promise<void>;
  print(line: string): void;
}

export type UpgradeScriptOutcome =
  | { status: 'up-to-date' | 'declined'; version: string }
  | { status: 'upgraded'; version: string; hops: HopRecord[] }
  | { status: 'rolled-back'; version: string; reason: string };

export async function upgradeScript(o: UpgradeScriptOptions): Promise<UpgradeScriptOutcome> {
  const deployment = await openDeployment({ project: o.project });
  const running = (await inspectDeployment(deployment)).version;
  if (!running) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `${o.project} does not answer /api/health, so its version is unknown`,
      unchanged: 'Nothing was changed',
      hint: 'Bring it up healthy first',
    });
  }

  // 1. Plan: pure path planning, then a plan bound to the deployment as it is now. Nothing changes.
  const path = planUpgradePath({ from: running, to: o.to, releases: o.releases });
  if (path.hops.length === 0) {
    o.print(`${o.project} already runs ${running}; nothing to do.`);
    return { status: 'up-to-date', version: running };
  }
  const plan = await applyUpgrade(deployment, path, {
    backupDir: o.backupDir,
    stateDir: o.stateDir,
    env: o.env,
  });

  // 2. Print what will happen, 3. ask once.
  o.print(describePath(path));
  o.print('Steps:');
  for (const step of plan.steps) o.print(`  ${step.id.padEnd(18)} ${step.action}`);
  if (!(await o.confirm(`Upgrade ${o.project} from ${path.from} to ${path.to}?`))) {
    o.print('Not confirmed; nothing was changed.');
    return { status: 'declined', version: running };
  }

  // 4. Execute. A failed hop is rolled back by the library itself; earlier hops stay unless we undo them.
  const onEvent = (e: StepEvent) => {
    if (e.type === 'step' && (e.status === 'finished' || e.status === 'failed'))
      o.print(`  ${e.status} ${e.step}`);
    if (e.type === 'undo') o.print(`  undo ${e.step}: ${e.status}`);
  };
  let done: HopRecord[] = [];
  try {
    const result = await executeUpgrade(deployment, plan, {
      env: o.env,
      onEvent,
      confirm: (r) => o.confirm(`${r.text}\n${r.commands.join('\n')}\nDone?`),
    });
    done = result.hops;
    o.print(result.summary);
    await o.accept?.(deployment);
    return { status: 'upgraded', version: path.to, hops: done };
  } catch (err) {
    if (err instanceof UpgradeFailedError) {
      done = err.hops;
      // The failed hop could not be put back cleanly: do not pile another change on top of it.
      if (err.runningVersion !== (done.at(-1)?.to ?? path.from)) throw err;
    }
    if (done.length === 0) throw err;
    // 5. Roll back what this run finished, newest first, from the records it returned.
    const reason = isUpgradeError(err) ? err.summary : String(err);
    o.print(`Rolling back ${done.length} finished hop(s): ${reason}`);
    const back = await rollback(deployment, {
      stateDir: o.stateDir,
      records: done,
      to: { hops: done.length },
    });
    for (const h of back.hops) o.print(`  ${h.from} ← ${h.to}: ${h.strategy} (${h.why})`);
    const consent =
      !back.data.needsConsent ||
      (await o.confirm(
        `The rollback discards rows written since the backup (${back.warnings.join(' ')}). Go on?`,
      ));
    if (!consent) throw err;
    const rolled = await executeRollback(deployment, back, {
      acceptDataLoss: back.data.needsConsent,
      onEvent,
    });
    o.print(rolled.summary);
    return { status: 'rolled-back', version: back.to, reason };
  }
}

async function readReleaseFile(file: string): Promise<ReleaseNotes[]> {
  const text = await readFile(file, 'utf8');
  return file.endsWith('.json') ? parseGitHubReleases(JSON.parse(text)) : parseChangelog(text);
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' },
      releases: { type: 'string' },
      to: { type: 'string', default: 'latest' },
      'backup-dir': { type: 'string' },
      'state-dir': { type: 'string' },
      env: { type: 'string', multiple: true },
      yes: { type: 'boolean' },
    },
  });
  if (!values.project || !values.releases || !values['backup-dir']) {
    process.stderr.write(
      'usage: upgrade-script --project P --releases FILE --backup-dir DIR [--to V] [--yes]\n',
    );
    return 2;
  }
  // Values of new variables come from the environment, never from the command line.
  const env = Object.fromEntries((values.env ?? []).map((name) => [name, process.env[name] ?? '']));
  const ask = async (question: string) => {
    if (values.yes) return true;
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  };
  const outcome = await upgradeScript({
    project: values.project,
    releases: await readReleaseFile(values.releases),
    to: values.to,
    backupDir: values['backup-dir'],
    stateDir: values['state-dir'],
    env,
    confirm: ask,
    print: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${outcome.status}: ${outcome.version}\n`);
  return outcome.status === 'rolled-back' ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
