import { describe, expect, it } from 'vitest';
import { chooseFormat, type FormatFacts } from '../../../src/backup/choose-format';
import { UpgradeError } from '../../../src/errors';

const GiB = 1024 ** 3;
/** A 2-processor container on Postgres 18 with 1 GiB of table data spread over four equal tables. */
const spread: FormatFacts = {
  asked: 'auto',
  dumpWhere: 'container',
  dumpMajor: 18,
  processors: 2,
  largestTableBytes: GiB / 4,
  totalTableBytes: GiB,
};

describe('chooseFormat', () => {
  it('takes the directory format with one job per processor (at most 4) where parallel jobs can pay', () => {
    expect(chooseFormat(spread)).toMatchObject({ format: 'directory', jobs: 2 });
    expect(chooseFormat({ ...spread, processors: 16 })).toMatchObject({ format: 'directory', jobs: 4 });
    expect(chooseFormat(spread).reason).toContain('2 parallel jobs over 1024 MiB');
  });

  it('keeps the custom format, saying why, wherever the directory format cannot pay or is not taken', () => {
    const custom = (over: Partial<FormatFacts>) => {
      const c = chooseFormat({ ...spread, ...over });
      expect(c.format).toBe('custom');
      expect(c.jobs).toBe(1);
      return c.reason;
    };
    expect(custom({ dumpWhere: 'host' })).toContain('runs on this host');
    expect(custom({ dumpMajor: 15 })).toContain('pg_dump 15 is older than 16');
    expect(custom({ processors: 1 })).toContain('one processor');
    expect(custom({ totalTableBytes: 10 << 20, largestTableBytes: 3 << 20 })).toContain('10 MiB');
    // One table with 90% of the data: two jobs could dump at most 1.1 times faster.
    expect(custom({ largestTableBytes: 0.9 * GiB })).toContain('the largest table holds 90%');
  });

  it('does what it is told, and refuses a directory dump by a host client', () => {
    expect(chooseFormat({ ...spread, asked: 'custom' }).format).toBe('custom');
    expect(chooseFormat({ ...spread, asked: 'directory', dumpMajor: 13, processors: 1 })).toMatchObject({
      format: 'directory',
      jobs: 1,
    });
    expect(() => chooseFormat({ ...spread, asked: 'directory', dumpWhere: 'host' })).toThrow(UpgradeError);
  });
});
