import { parseArgs } from 'node:util';
import { InvalidInputError } from '../errors';
import { prepareEngramImages } from '../testing/prepare-images';
import { type CliIo, EXIT } from './cli-output';

/**
 * `engram-upgrade testbed`: what a downstream test suite's global setup does, from the command line.
 * Builds the test bed (engine, loopback registry, Postgres and Engram stand-in images), or with
 * `--pull VERSION` pulls existing images instead.
 */
export async function testbedCommand(argv: string[], io: CliIo): Promise<number> {
  let values: { json?: boolean; pull?: string[] };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        json: { type: 'boolean' },
        pull: { type: 'string', multiple: true },
        debug: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new InvalidInputError({ message: (err as Error).message, hint: 'Run engram-upgrade --help' });
  }
  const prepared = await prepareEngramImages(
    values.pull?.length ? { source: 'registry', versions: values.pull } : { source: 'testbed' },
  );
  if (values.json) io.out(`${JSON.stringify(prepared, null, 2)}\n`);
  else {
    io.out(`Test images ready in ${prepared.seconds.toFixed(1)} s (${prepared.source}):\n`);
    io.out(`  engram    ${prepared.engramRepository}: ${prepared.versions.join(', ')}\n`);
    io.out(`  postgres  ${prepared.postgresImage}\n`);
    if (prepared.source === 'registry')
      io.out('  (pulled images: the stand-in fault switches do not apply)\n');
  }
  return EXIT.ok;
}
