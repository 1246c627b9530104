import { readComposeYaml } from './compose-yaml';
import type { ComposeFile } from './locate-image';

/** Compose's duration strings (`30s`, `1m30s`, `500ms`, `1h`) in milliseconds; null when unreadable. */
export function parseComposeDuration(text: unknown): number | null {
  if (typeof text === 'number') return text * 1000;
  if (typeof text !== 'string' || !/^(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|ns))+$/.test(text.trim())) return null;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, ns: 0.000001 };
  let total = 0;
  for (const [, n, u] of text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g))
    total += Number(n) * unit[u!]!;
  return total;
}

/**
 * How long a service may take to become healthy, from its compose healthcheck: the start period
 * (failures inside it do not count) plus interval × retries (Docker's own verdict), at least
 * `floorMs`. The last file that sets each field wins, as compose merges them.
 */
export function healthDeadlineMs(files: readonly ComposeFile[], service: string, floorMs = 60_000): number {
  let startPeriod = 0;
  let interval = 30_000;
  let retries = 3;
  for (const f of files) {
    const hc = readComposeYaml(f.text, f.path).getIn(['services', service, 'healthcheck']) as
      | { toJSON?: () => unknown }
      | undefined;
    const json = (hc?.toJSON?.() ?? null) as Record<string, unknown> | null;
    if (!json) continue;
    startPeriod = parseComposeDuration(json.start_period) ?? startPeriod;
    interval = parseComposeDuration(json.interval) ?? interval;
    if (typeof json.retries === 'number') retries = json.retries;
  }
  return Math.max(floorMs, Math.round(startPeriod + interval * retries));
}
