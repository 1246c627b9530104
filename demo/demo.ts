/**
 * `npm run demo`: makes the test bed ready, starts a throwaway Engram deployment through the harness
 * and shows its state as an operator would look at it. Everything it starts is removed at the end.
 */
import { startEngramStack } from '../src/testing';
import { ensureTestbed } from '../testbed/ensure-testbed';

const VERSION = process.env.DEMO_VERSION ?? '0.14.1';

function line(label: string, value: string): void {
  process.stdout.write(`  ${label.padEnd(18)} ${value}\n`);
}

async function main(): Promise<void> {
  process.stdout.write(
    'engram-upgrade demo\n\n1. Test bed (Docker engine, compose, local registry, images)\n',
  );
  const seconds = await ensureTestbed();
  line('ready in', `${seconds.toFixed(1)} s`);

  process.stdout.write(`\n2. Starting a throwaway Engram ${VERSION} deployment (compose project on disk)\n`);
  const t0 = Date.now();
  await using stack = await startEngramStack({ version: VERSION });
  line('project', stack.projectName);
  line('compose file', stack.composeFile);
  line('image', stack.engramImage);
  line('started in', `${((Date.now() - t0) / 1000).toFixed(1)} s`);

  process.stdout.write('\n3. State\n');
  const health = await stack.health();
  const body = health.body as { version?: string; build_sha?: string | null };
  line('GET /api/health', `${health.status} version=${body.version} build_sha=${body.build_sha}`);
  const deep = await stack.health('/api/health/deep');
  line(
    'GET /api/health/deep',
    `${deep.status} ${JSON.stringify((deep.body as { checks?: unknown }).checks)}`,
  );
  const versions = await stack.migrationVersions();
  line('migration head', `${versions.at(-1)} (${versions.length} applied)`);
  const [users, notes] = await Promise.all([
    stack.query('SELECT count(*) FROM users'),
    stack.query('SELECT count(*) FROM notes'),
  ]);
  line('rows', `users=${users[0]?.[0]} notes=${notes[0]?.[0]}`);

  process.stdout.write('\n4. Removing the deployment (compose down --volumes)\n');
}

main().then(
  () => process.stdout.write('  done\n'),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
