import { describe, expect, expectTypeOf, it } from 'vitest';
import * as compose from '../../../src/compose/index';

describe('compose public surface', () => {
  it('exports the functions and schemas others build on', () => {
    const exported: Record<string, unknown> = { ...compose };
    for (const name of [
      'parseEnvFile',
      'renderEnvFile',
      'editEnvFile',
      'quoteEnvValue',
      'parseImageReference',
      'formatImageReference',
      'isImageReference',
      'repositoryOf',
      'tagOf',
      'digestOf',
      'withTag',
      'withDigest',
      'locateImage',
      'locateImageInFiles',
      'pinImage',
      'interpolate',
      'parseTemplate',
      'lookupIn',
    ] as const) {
      expect(exported[name], name).toBeTypeOf('function');
    }
    for (const schema of [
      compose.EnvEditSchema,
      compose.EnvNameSchema,
      compose.ImageReferenceSchema,
      compose.ImageLocationSchema,
      compose.LocatedImageSchema,
      compose.FileEditSchema,
    ]) {
      expect(schema.safeParse).toBeTypeOf('function');
    }
  });

  it('has the signatures the brief promises', () => {
    expectTypeOf(compose.parseEnvFile).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(compose.parseEnvFile).returns.toHaveProperty('entries').toEqualTypeOf<Map<string, string>>();
    expectTypeOf(compose.editEnvFile).parameters.toEqualTypeOf<[string, readonly compose.EnvEdit[]]>();
    expectTypeOf(compose.editEnvFile).returns.toEqualTypeOf<string>();
    expectTypeOf<compose.EnvEdit>().toEqualTypeOf<
      | { op: 'set'; name: string; value: string }
      | { op: 'rename'; from: string; to: string; keep: 'comment' | 'remove' }
      | { op: 'unset'; name: string }
    >();
    expectTypeOf(compose.locateImage).parameter(2).toEqualTypeOf<compose.EnvInput>();
    expectTypeOf(compose.locateImage).returns.toEqualTypeOf<compose.ImageLocation>();
    expectTypeOf<compose.ImageLocation['kind']>().toEqualTypeOf<'literal' | 'digest' | 'variable'>();
    expectTypeOf(compose.pinImage).returns.toEqualTypeOf<compose.PinImageResult>();
    expectTypeOf<compose.PinImageResult['edits'][number]>().toEqualTypeOf<{
      path: string;
      before: string;
      after: string;
    }>();
  });
});
