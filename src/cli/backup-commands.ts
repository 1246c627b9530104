import { parseArgs } from 'node:util';
import { executeBackup } from '../backup/execute-backup';
import { executeRestore } from '../backup/execute-restore';
import { loadManifest } from '../backup/load-manifest';
import { backup } from '../backup/plan-backup';
import { restore } from '../backup/plan-restore';
import type { SigningKeySource } from '../backup/signing-key';
import { verifyBackup } from '../backup/verify-backup';
import { openDeployment } from '../deployment/deployment';
import { InvalidInputError } from '../errors';
import { abs, common, need, parsed } from './cli-args';
import { type CliIo, confirm, declined, EXIT } from './cli-output';
import { knownSecrets, outputMode, paint, runOutput, streamed } from './run-output';

const keyed = {
  project: common.project,
  json: common.json,
  yes: common.yes,
  debug: common.debug,
  // Where the key is, never the key: argv is readable by every user of the machine.
  'signing-key-file': { type: 'string' },
  'signing-key-env': { type: 'string' },
} as const;

/** `--signing-key-file F` or `--signing-key-env NAME` (not both); neither: no key. */
function signingKeyOf(values: {
  'signing-key-file'?: string;
  'signing-key-env'?: string;
}): SigningKeySource | undefined {
  const file = values['signing-key-file'];
  const env = values['signing-key-env'];
  if (file !== undefined && env !== undefined) {
    throw new InvalidInputError({
      message: '--signing-key-file and --signing-key-env exclude each other',
      hint: 'Pass one of them',
    });
  }
  if (file !== undefined) return { file: abs(file) };
  if (env !== undefined) return { env };
  return undefined;
}

/** `backup`: plans a backup, prints it, and takes it (a quiesced one, which stops the app, after confirmation). */
export async function backupCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...keyed,
        ...streamed,
        dir: { type: 'string' },
        mode: { type: 'string' },
        'verify-level': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    }),
  );
  const output = outputMode(values);
  const mode = values.mode ?? 'online';
  if (mode !== 'online' && mode !== 'quiesced') {
    throw new InvalidInputError({
      message: `--mode takes online or quiesced, not ${JSON.stringify(mode.slice(0, 20))}`,
    });
  }
  const level = values['verify-level'] ?? '1';
  if (level !== '1' && level !== '2') {
    throw new InvalidInputError({
      message: `--verify-level takes 1 or 2, not ${JSON.stringify(level.slice(0, 20))}`,
    });
  }
  const dep = await openDeployment({ project: need(values.project, '--project') });
  const plan = await backup(dep, {
    dir: abs(need(values.dir, '--dir')),
    mode,
    verifyLevel: level === '2' ? 2 : 1,
    signingKey: signingKeyOf(values),
  });
  const out = runOutput(io, output, {
    title: 'backup',
    steps: plan.steps.map((s) => s.id),
    secrets: await knownSecrets(dep),
  });
  const c = paint(io, output);
  out.say(`Backup ${plan.id} of ${dep.project} (${plan.mode}) into ${plan.destination.path}:\n`);
  for (const s of plan.steps) out.say(`  ${s.id.padEnd(10)} ${s.action}\n`);
  if (!plan.signing) {
    out.say(
      `  ${c.yellow('warning:')} the backup is not signed (no --signing-key-file or --signing-key-env): a restore cannot tell it from one changed by whoever can write the backup dir\n`,
    );
  }
  if (values['dry-run']) {
    out.done({ plan }, '');
    return EXIT.ok;
  }
  if (plan.mode === 'quiesced' && plan.source.appRunning) {
    if (!(await confirm(io, values.yes, `Stop ${plan.source.appContainer} for the backup?`))) {
      return declined(io);
    }
  }
  const result = await executeBackup(dep, plan, { onEvent: out.onEvent, signal: io.signal }).finally(
    out.stop,
  );
  out.done(
    { plan, result },
    `\n${c.green(`Backup written to ${result.path}`)}${plan.signing ? ` and signed (key id ${plan.signing.keyId})` : ' (unsigned)'}\n`,
  );
  return EXIT.ok;
}

/** `verify`: checks a backup (checksums, archive, level 2: a test restore) and, with a key, its signature. */
export async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...keyed,
        dir: { type: 'string' },
        level: { type: 'string' },
        'postgres-image': { type: 'string' },
      },
    }),
  );
  const level = values.level ?? '1';
  if (level !== '1' && level !== '2') {
    throw new InvalidInputError({
      message: `--level takes 1 or 2, not ${JSON.stringify(level.slice(0, 20))}`,
    });
  }
  const dir = abs(need(values.dir, '--dir'));
  const signingKey = signingKeyOf(values);
  const common_ = { level: level === '2' ? (2 as const) : (1 as const), signingKey, signal: io.signal };
  const report = values['postgres-image']
    ? await verifyBackup(dir, { ...common_, postgresImage: values['postgres-image'] })
    : await verifyBackup(dir, {
        ...common_,
        deployment: await openDeployment({
          project: need(values.project, '--project (or --postgres-image)'),
        }),
      });
  if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    io.out(
      `Backup ${report.id} verified at level ${report.level}: ${report.archiveEntries} archive entries${report.level === 2 ? `, ${report.tablesCompared} tables compared` : ''}, head ${report.head ?? 'none'}; ${report.authenticity.authenticated ? `signature good (key id ${report.authenticity.keyId})` : 'unauthenticated'}\n`,
    );
    const c = paint(io);
    for (const w of report.warnings) io.out(`  ${c.yellow('warning:')} ${w}\n`);
  }
  return EXIT.ok;
}

/** `restore`: plans restoring a backup into the deployment, prints the plan, and carries it out after confirmation. */
export async function restoreCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...keyed,
        ...streamed,
        dir: { type: 'string' },
        'keep-app-stopped': { type: 'boolean' },
        'drop-previous': { type: 'boolean' },
        'migrate-forward': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
    }),
  );
  const output = outputMode(values);
  const dep = await openDeployment({ project: need(values.project, '--project') });
  const plan = await restore(abs(need(values.dir, '--dir')), dep, {
    startApp: !values['keep-app-stopped'],
    keepPrevious: !values['drop-previous'],
    newerImage: values['migrate-forward'] ? 'migrate-forward' : 'refuse',
    signingKey: signingKeyOf(values),
  });
  // The bar of the restore step: the dump's size, every file of it (the restore reports the bytes it has read).
  const dumpBytes = await loadManifest(plan.backup.dir).then(
    (m) => m.files.reduce((n, f) => n + f.bytes, 0),
    () => undefined,
  );
  const out = runOutput(io, output, {
    title: 'restore',
    steps: plan.steps.map((s) => s.id),
    totals: { restore: dumpBytes },
    secrets: await knownSecrets(dep),
  });
  const c = paint(io, output);
  out.say(
    `Restore of backup ${plan.backup.id} (Engram ${plan.backup.engramVersion ?? 'unknown'}, head ${plan.backup.head ?? 'none'}) into ${plan.target.database} of ${dep.project}:\n`,
  );
  for (const s of plan.steps) out.say(`  ${s.id.padEnd(14)} ${s.action}\n`);
  for (const w of plan.warnings) out.say(`  ${c.yellow('warning:')} ${w}\n`);
  if (values['dry-run']) {
    out.done({ plan }, '');
    return EXIT.ok;
  }
  if (
    !(await confirm(
      io,
      values.yes,
      `Replace ${plan.target.database} of ${dep.project} with backup ${plan.backup.id}?`,
    ))
  ) {
    return declined(io);
  }
  const result = await executeRestore(dep, plan, { onEvent: out.onEvent, signal: io.signal }).finally(
    out.stop,
  );
  out.done(
    { plan, result },
    `\nRestored backup ${plan.backup.id} into ${result.database}${result.previousDatabase ? `; the previous database is kept as ${result.previousDatabase}` : ''}\n`,
  );
  return EXIT.ok;
}
