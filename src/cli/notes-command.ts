import { parseArgs } from 'node:util';
import { notesOptions, parsed } from './cli-args';
import { type CliIo, EXIT } from './cli-output';
import { readReleases } from './read-releases';

/** `notes`: the release notes as the library reads them (breaking changes, env changes, floors, steps). */
export async function notesCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parsed(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...notesOptions,
        json: { type: 'boolean' },
        debug: { type: 'boolean' },
      },
    }),
  );
  const releases = await readReleases(values, { env: io.env, signal: io.signal });
  if (values.json) {
    io.out(`${JSON.stringify(releases, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const r of releases) {
    io.out(`${r.version}${r.date ? ` (${r.date})` : ''}${r.prerelease ? ' prerelease' : ''}\n`);
    if (r.minimumFrom) io.out(`  upgrade from ${r.minimumFrom.version} or later: ${r.minimumFrom.text}\n`);
    if (r.oneWay) io.out(`  one-way: ${r.oneWay.text}\n`);
    for (const b of r.breaking) io.out(`  breaking: ${b.text}\n`);
    for (const e of r.envRenames) io.out(`  env renamed: ${e.from} → ${e.to}\n`);
    for (const e of r.requiredEnv) io.out(`  env required: ${e.name}\n`);
    for (const u of r.upgradeSections)
      for (const [i, step] of u.steps.entries())
        io.out(`  upgrade ${u.from} → ${u.to}, step ${i + 1}: ${step.text}\n`);
    for (const n of r.needsReview) io.out(`  needs review (${n.reason}): ${n.text}\n`);
  }
  return EXIT.ok;
}
