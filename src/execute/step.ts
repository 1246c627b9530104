import { z } from 'zod';

/**
 * One step of an executable plan: which handler runs it (`kind`), with which inputs, what it does and
 * how it is undone, in words a reviewer can read. Steps of one `group` (a hop) are undone together
 * when one of them fails.
 */
export const ExecStepSchema = z.object({
  /** Unique within the plan, e.g. `hop1.pull`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  /** The handler that runs it. */
  kind: z.string(),
  /** Undo scope: a failure undoes the finished steps of its own group only. */
  group: z.string(),
  /** What the step does, for a person. */
  action: z.string(),
  /** How the step is undone, for a person; absent only when `irreversible`. */
  undo: z.string().optional(),
  irreversible: z.boolean().optional(),
  /** The handler's input: plain JSON, validated by the handler. */
  input: z.record(z.string(), z.unknown()),
});
export type ExecStep = z.infer<typeof ExecStepSchema>;

/** Events every executor reports while it follows a plan. */
export type StepEvent =
  | {
      type: 'step';
      step: string;
      kind: string;
      group: string;
      status: 'started' | 'finished' | 'skipped' | 'failed';
      ms?: number;
      detail?: string;
    }
  | {
      type: 'undo';
      step: string;
      kind: string;
      group: string;
      status: 'started' | 'finished' | 'failed';
      detail?: string;
    }
  | { type: 'progress'; step: string; phase: string; current: number; total?: number; detail?: string }
  | { type: 'log'; step: string; level: 'info' | 'warn'; message: string };
