import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { HELP } from '../../../src/cli/command-help';
import {
  type BackupResult,
  type BackupResultSchema,
  CLI_OUTPUT_SCHEMAS,
  type RestoreResult,
  RestoreResultSchema,
  type RollbackResult,
  type RollbackResultSchema,
  type UpgradeResult,
  type UpgradeResultSchema,
  type VerifyReport,
  type VerifyReportSchema,
} from '../../../src/index';

describe('result schemas', () => {
  it('describe exactly the types the library returns', () => {
    expectTypeOf<z.infer<typeof UpgradeResultSchema>>().toEqualTypeOf<UpgradeResult>();
    expectTypeOf<z.infer<typeof RollbackResultSchema>>().toEqualTypeOf<RollbackResult>();
    expectTypeOf<z.infer<typeof BackupResultSchema>>().toEqualTypeOf<BackupResult>();
    expectTypeOf<z.infer<typeof RestoreResultSchema>>().toEqualTypeOf<RestoreResult>();
    expectTypeOf<z.infer<typeof VerifyReportSchema>>().toEqualTypeOf<VerifyReport>();
  });

  it('accept a result and refuse one with a field missing', () => {
    const restored: RestoreResult = { database: 'engram', previousDatabase: null, head: '20240101000000' };
    expect(RestoreResultSchema.parse(restored)).toEqual(restored);
    expect(RestoreResultSchema.safeParse({ database: 'engram' }).success).toBe(false);
    const verified: VerifyReport = {
      id: 'b1',
      level: 1,
      archiveEntries: 12,
      tablesCompared: 0,
      head: null,
      authenticity: { authenticated: false, signature: 'absent' },
      warnings: [],
      ms: 40,
    };
    expect(CLI_OUTPUT_SCHEMAS.verify.parse(verified)).toEqual(verified);
    expect(CLI_OUTPUT_SCHEMAS.verify.safeParse({ ...verified, level: 3 }).success).toBe(false);
  });

  it('one for each command with --json, and every command has --help with an example', () => {
    for (const command of Object.keys(CLI_OUTPUT_SCHEMAS)) expect(HELP[command]).toBeDefined();
    for (const [command, text] of Object.entries(HELP)) {
      expect(text, command).toMatch(new RegExp(`^engram-upgrade ${command} `));
      expect(text, command).toMatch(/\nExample:\n {2}engram-upgrade /);
    }
  });
});
