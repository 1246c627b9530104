/**
 * `npm run demo`: the whole story on a throwaway Engram deployment from the test series. Read the
 * release notes, plan a path with a required stop and a one-way hop, back up, apply hop by hop with
 * live progress, show the result, then roll the last hop back. Everything it starts is removed at the
 * end. `npm run demo -- --json` prints the plans and results as JSON documents instead.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressView } from '../src/cli/progress';
import { terminalStyle } from '../src/cli/terminal-style';
import { openDeployment } from '../src/deployment/deployment';
import type { StepEvent } from '../src/execute/step';
import { parseGitHubReleases } from '../src/notes';
import { describePath, planUpgradePath } from '../src/plan';
import { executeRollback, rollback } from '../src/rollback';
import { startEngramStack } from '../src/testing';
import { applyUpgrade, executeUpgrade } from '../src/upgrade';
import { ensureTestbed } from '../testbed/ensure-testbed';

const FROM = '0.14.1';
const TO = '0.18.1';
const json = process.argv.includes('--json');
const out = (text: string) => {
  if (!json) process.stdout.write(text);
};
const line = (label: string, value: string) => out(`  ${label.padEnd(20)} ${value}\n`);

function printer(): (e: StepEvent) => void {
  if (json) return () => undefined;
  // Lines only: the demo prints between the steps of several runs, which bars would draw over.
  const { colour } = terminalStyle({ stdoutTty: process.stdout.isTTY === true, env: process.env });
  return progressView({
    write: (t) => process.stdout.write(t),
    style: { bars: false, colour },
    title: 'upgrade',
    steps: [],
  });
}

async function main(): Promise<void> {
  out('engram-upgrade demo: a full upgrade of a throwaway Engram deployment, then a rollback\n\n');
  out('1. Test bed (Docker engine, compose, local registry, images)\n');
  line('ready in', `${(await ensureTestbed()).toFixed(1)} s`);

  out(`\n2. A running Engram ${FROM} deployment (compose project on disk, an old variable name in .env)\n`);
  await using stack = await startEngramStack({
    version: FROM,
    env: { ENGRAM_DEFAULT_REGISTRATION_MODE: null, REGISTRATION_ENABLED: 'invite_only' },
  });
  const state = mkdtempSync(join(tmpdir(), 'engram-demo-state-'));
  const backups = mkdtempSync(join(tmpdir(), 'engram-backups-'));
  try {
    line('project', stack.projectName);
    line('compose file', stack.composeFile);
    line('health', JSON.stringify((await stack.health()).body));

    out(`\n3. Release notes → the path from ${FROM} to ${TO}\n`);
    const releasesJson = readFileSync(
      join(import.meta.dirname, '../test/fixtures/releases/github-releases.json'),
      'utf8',
    );
    const releases = parseGitHubReleases(JSON.parse(releasesJson));
    const path = planUpgradePath({ from: FROM, to: TO, releases });
    out(`${describePath(path).replace(/^/gm, '  ')}\n`);

    out('\n4. The upgrade plan (nothing has changed yet)\n');
    const dep = await openDeployment({ project: stack.projectName });
    const plan = await applyUpgrade(dep, path, { stateDir: state, backupDir: backups });
    for (const s of plan.steps) line(s.id, s.action.length > 110 ? `${s.action.slice(0, 107)}…` : s.action);
    if (json) process.stdout.write(`${JSON.stringify({ plan }, null, 2)}\n`);

    out('\n5. Executing it, hop by hop\n');
    const result = await executeUpgrade(dep, plan, { onEvent: printer() });
    out(`\n  ${result.summary}\n`);
    line('health', JSON.stringify((await stack.health()).body));
    const head = (await stack.migrationVersions()).at(-1);
    line('migration head', String(head));
    line(
      '.env',
      readFileSync(stack.envFile, 'utf8')
        .split('\n')
        .filter((l) => /REGISTRATION/.test(l))
        .join(' | '),
    );
    if (json) process.stdout.write(`${JSON.stringify({ result }, null, 2)}\n`);

    out(`\n6. Rolling the last hop back (${result.hops.at(-1)?.from} ← ${result.hops.at(-1)?.to})\n`);
    const back = await rollback(dep, { stateDir: state });
    for (const h of back.hops) line(`${h.from} ← ${h.to}`, `${h.strategy}: ${h.why}`);
    line('writes since upgrade', back.data.writesSinceUpgrade);
    const rolled = await executeRollback(dep, back, { onEvent: printer() });
    out(`\n  ${rolled.summary}\n`);
    line('health', JSON.stringify((await stack.health()).body));
    if (json)
      process.stdout.write(`${JSON.stringify({ rollback: back, rollbackResult: rolled }, null, 2)}\n`);

    out('\n7. Removing the deployment, its backups and its state\n');
  } finally {
    rmSync(state, { recursive: true, force: true });
    rmSync(backups, { recursive: true, force: true });
  }
}

main().then(
  () => out('  done\n'),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
