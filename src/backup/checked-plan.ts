import type { z } from 'zod';
import { InvalidInputError } from '../errors';

/**
 * A plan handed back to an executor, validated against its schema. A plan that does not validate (edited
 * by hand, from another version, or not a plan at all) is refused before anything is touched.
 */
export function checkedPlan<S extends z.ZodType>(schema: S, input: unknown, kind: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new InvalidInputError({
    message: `The ${kind} plan is not valid${where}: ${issue?.message ?? 'it does not match the schema'}`,
    hint: `Pass the plan exactly as the planning call returned it (or plan the ${kind} again)`,
    cause: parsed.error,
  });
}
