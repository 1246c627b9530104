import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openDeployment } from '../deployment/deployment';
import { rehearse } from '../rehearse/rehearse';
import { abs, common, envValues, need, notesOptions, parsed } from './cli-args';
import { type CliIo, EXIT } from './cli-output';
import { knownSecrets, outputMode, paint, runOutput, streamed } from './run-output';
import { pathFromRunning } from './running-path';

/** `rehearse`: the path on a throwaway copy of the deployment, timed, rolled back, removed. */
export async function rehearseCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...common,
        ...streamed,
        to: { type: 'string' },
        ...notesOptions,
        backup: { type: 'string' },
        env: { type: 'string', multiple: true },
        save: { type: 'string' },
      },
    }),
  );
  const mode = outputMode(values);
  const env = envValues(values.env, io);
  const dep = await openDeployment({ project: need(values.project, '--project') });
  const path = await pathFromRunning(dep, values, 'rehearse', io);
  const out = runOutput(io, mode, {
    title: 'rehearse',
    steps: [
      ...(values.backup ? [] : ['backup']),
      ...['copy', 'start', 'restore', 'upgrade', 'rollback', 'teardown'],
    ],
    unit: 'phases',
    secrets: await knownSecrets(dep, env),
  });
  const report = await rehearse(dep, path, {
    backup: abs(values.backup),
    env,
    onEvent: out.onEvent,
    signal: io.signal,
  }).finally(out.stop);
  if (values.save) {
    await writeFile(values.save, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
  }
  const c = paint(io, mode);
  const lines = report.hops.map((h) => {
    const back = h.rollback
      ? `rollback by ${h.rollback.strategy} ${h.rollback.ok ? `in ${(h.rollback.ms / 1000).toFixed(1)} s` : c.red(`FAILED: ${h.rollback.error}`)}`
      : 'rollback not tried';
    return `  ${h.from} → ${h.to}: ${(h.ms / 1000).toFixed(1)} s, down ${(h.downtimeMs / 1000).toFixed(1)} s; ${back}\n`;
  });
  out.done(
    report,
    `${lines.join('')}Rehearsed on ${report.rehearsalProject} (removed); the real deployment was not changed.\n`,
  );
  return report.hops.every((h) => h.rollback === null || h.rollback.ok) ? EXIT.ok : EXIT.failed;
}
