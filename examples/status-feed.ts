/**
 * Another tool wrapping the library: a deployment dashboard that runs upgrades through engram-upgrade
 * and shows them in its own UI. It keeps a small status model (one row per hop, one per step) that it
 * updates from the library's step events, and writes its own NDJSON feed (one JSON object per line)
 * that its web page or a log shipper follows. The model and the feed are pure; `upgradeWithFeed` is
 * the part that touches the deployment.
 *
 *   npx tsx examples/status-feed.ts --plan plan.json --project engram > feed.ndjson
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type Deployment,
  type ExecStep,
  executeUpgrade,
  isUpgradeError,
  openDeployment,
  type PlannedHop,
  type StepEvent,
  UpgradeFailedError,
  type UpgradePlan,
  UpgradePlanSchema,
} from 'engram-upgrade';

export type StepState = 'pending' | 'running' | 'done' | 'skipped' | 'failed' | 'undone' | 'undo-failed';
export type HopState = 'pending' | 'running' | 'done' | 'failed' | 'rolled-back' | 'needs-a-person';

export interface StatusView {
  hops: {
    group: string;
    title: string;
    state: HopState;
    steps: { id: string; state: StepState; ms?: number }[];
  }[];
  /** The step running now and its latest progress, if any. */
  current: { step: string; phase?: string; current?: number; total?: number } | null;
  /** The step handlers' messages, newest last. */
  messages: string[];
}

/** The dashboard's model of one upgrade, built from the plan and kept up to date from step events. */
export class UpgradeStatus {
  readonly #view: StatusView;

  constructor(plan: {
    hops: readonly Pick<PlannedHop, 'index' | 'from' | 'to'>[];
    steps: readonly Pick<ExecStep, 'id' | 'group'>[];
  }) {
    this.#view = {
      hops: plan.hops.map((h) => ({
        group: `hop-${h.index}`,
        title: `${h.from} → ${h.to}`,
        state: 'pending',
        steps: plan.steps
          .filter((s) => s.group === `hop-${h.index}`)
          .map((s) => ({ id: s.id, state: 'pending' })),
      })),
      current: null,
      messages: [],
    };
  }

  apply(e: StepEvent): void {
    if (e.type === 'log') {
      this.#view.messages.push(`${e.step}: ${e.message}`);
      return;
    }
    if (e.type === 'progress') {
      this.#view.current = { step: e.step, phase: e.phase, current: e.current, total: e.total };
      return;
    }
    const hop = this.#view.hops.find((h) => h.group === e.group);
    const step = hop?.steps.find((s) => s.id === e.step);
    if (!hop || !step) return;
    if (e.type === 'step') {
      step.state = e.status === 'started' ? 'running' : e.status === 'finished' ? 'done' : e.status;
      if (e.ms !== undefined) step.ms = e.ms;
      this.#view.current = e.status === 'started' ? { step: e.step } : null;
      if (e.status === 'failed') hop.state = 'failed';
      else if (hop.state === 'pending') hop.state = 'running';
      if (hop.steps.every((s) => s.state === 'done' || s.state === 'skipped')) hop.state = 'done';
    } else {
      if (e.status === 'finished') step.state = 'undone';
      if (e.status === 'failed') {
        step.state = 'undo-failed';
        hop.state = 'needs-a-person';
      }
    }
  }

  /** Marks the failed hop rolled back once the library says it was (the undo events alone cannot). */
  settle(outcome: { rolledBack: boolean; failedStep?: string }): void {
    const hop = this.#view.hops.find((h) => h.steps.some((s) => s.id === outcome.failedStep));
    if (hop && hop.state === 'failed' && outcome.rolledBack) hop.state = 'rolled-back';
  }

  view(): StatusView {
    return structuredClone(this.#view);
  }
}

/** One line of the dashboard's own feed: its record types, not the library's. */
export type FeedRecord =
  | { t: 'start'; at: string; project: string; from: string; to: string; hops: string[] }
  | { t: 'step'; at: string; hop: string; step: string; state: StepState; ms?: number; detail?: string }
  | { t: 'progress'; at: string; step: string; phase: string; current: number; total?: number }
  | { t: 'message'; at: string; step: string; text: string }
  | { t: 'end'; at: string; ok: boolean; version: string | null; code?: string; text: string };

/** The feed record for a library event, or null for none. */
export function feedRecord(e: StepEvent, at: string): FeedRecord | null {
  switch (e.type) {
    case 'step': {
      const state: StepState =
        e.status === 'started' ? 'running' : e.status === 'finished' ? 'done' : e.status;
      return { t: 'step', at, hop: e.group, step: e.step, state, ms: e.ms, detail: e.detail };
    }
    case 'undo':
      return e.status === 'started'
        ? null
        : {
            t: 'step',
            at,
            hop: e.group,
            step: e.step,
            state: e.status === 'finished' ? 'undone' : 'undo-failed',
          };
    case 'progress':
      return { t: 'progress', at, step: e.step, phase: e.phase, current: e.current, total: e.total };
    case 'log':
      return { t: 'message', at, step: e.step, text: e.message };
  }
}

export function ndjson(record: FeedRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * Executes a reviewed plan, writing the feed as it goes and keeping `status` current. Never throws
 * for a failed upgrade: the last feed line says how it ended, as the dashboard shows it.
 */
export async function upgradeWithFeed(
  deployment: Deployment,
  plan: UpgradePlan,
  io: { write(line: string): void; now?: () => Date; env?: Record<string, string> },
): Promise<{ ok: boolean; status: UpgradeStatus }> {
  const now = () => (io.now ?? (() => new Date()))().toISOString();
  const status = new UpgradeStatus(plan);
  const hops = plan.hops.map((h) => `${h.from} → ${h.to}`);
  io.write(ndjson({ t: 'start', at: now(), project: plan.project, from: plan.from, to: plan.to, hops }));
  const onEvent = (e: StepEvent) => {
    status.apply(e);
    const record = feedRecord(e, now());
    if (record) io.write(ndjson(record));
  };
  try {
    const result = await executeUpgrade(deployment, plan, { onEvent, env: io.env });
    io.write(ndjson({ t: 'end', at: now(), ok: true, version: plan.to, text: result.summary }));
    return { ok: true, status };
  } catch (err) {
    if (!isUpgradeError(err)) throw err;
    const failed = err instanceof UpgradeFailedError ? err : undefined;
    status.settle({ rolledBack: failed?.rolledBack ?? false, failedStep: err.step });
    const version = failed ? failed.runningVersion : plan.from;
    io.write(ndjson({ t: 'end', at: now(), ok: false, version, code: err.code, text: err.message }));
    return { ok: false, status };
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { plan: { type: 'string' }, project: { type: 'string' } } });
  if (!values.plan || !values.project) {
    process.stderr.write('usage: status-feed --plan plan.json --project P\n');
    process.exitCode = 2;
  } else {
    const plan = UpgradePlanSchema.parse(JSON.parse(await readFile(values.plan, 'utf8')));
    const deployment = await openDeployment({ project: values.project });
    const { ok } = await upgradeWithFeed(deployment, plan, { write: (line) => process.stdout.write(line) });
    process.exitCode = ok ? 0 : 1;
  }
}
