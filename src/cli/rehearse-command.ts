import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openDeployment } from '../deployment/deployment';
import { rehearse } from '../rehearse/rehearse';
import { abs, common, envValues, need, notesOptions, parsed } from './cli-args';
import { type CliIo, EXIT } from './cli-output';
import { pathFromRunning } from './running-path';

/** `rehearse`: the path on a throwaway copy of the deployment, timed, rolled back, removed. */
export async function rehearseCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...common,
        to: { type: 'string' },
        ...notesOptions,
        backup: { type: 'string' },
        env: { type: 'string', multiple: true },
        save: { type: 'string' },
      },
    }),
  );
  const env = envValues(values.env, io);
  const dep = await openDeployment({ project: need(values.project, '--project') });
  const path = await pathFromRunning(dep, values, 'rehearse');
  const report = await rehearse(dep, path, {
    backup: abs(values.backup),
    env,
    onEvent: (e) => {
      if (!values.json && e.type === 'phase') io.out(`${e.phase}${e.detail ? `: ${e.detail}` : ''}\n`);
    },
  });
  if (values.save) {
    await writeFile(values.save, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
  }
  if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const h of report.hops) {
      const back = h.rollback
        ? `rollback by ${h.rollback.strategy} ${h.rollback.ok ? `in ${(h.rollback.ms / 1000).toFixed(1)} s` : `FAILED: ${h.rollback.error}`}`
        : 'rollback not tried';
      io.out(
        `  ${h.from} → ${h.to}: ${(h.ms / 1000).toFixed(1)} s, down ${(h.downtimeMs / 1000).toFixed(1)} s; ${back}\n`,
      );
    }
    io.out(`Rehearsed on ${report.rehearsalProject} (removed); the real deployment was not changed.\n`);
  }
  return report.hops.every((h) => h.rollback === null || h.rollback.ok) ? EXIT.ok : EXIT.failed;
}
