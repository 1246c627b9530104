import { describe, expect, it } from 'vitest';
import { eventLine, eventStream } from '../../../src/cli/event-stream';
import { SecretSet } from '../../../src/secrets';

const PASSWORD = 'pa"ss w0rd/with:odd%chars';
const secrets = () => new SecretSet().add(PASSWORD).add('MASTERKEY-0123456789');

describe('--events: one JSON object per line, secrets taken out', () => {
  it('writes each event as one parseable line, at the moment it is given, with the time it was seen', () => {
    const written: string[] = [];
    const emit = eventStream((t) => written.push(t), secrets());
    emit({ type: 'step', step: 'hop1.pull', kind: 'pull', group: 'hop1', status: 'started' });
    expect(written).toHaveLength(1);
    emit({ type: 'progress', step: 'hop1.pull', phase: 'pull', current: 10, total: 20 });
    expect(written).toHaveLength(2);
    for (const line of written) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
    }
    const [first, second] = written.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ type: 'step', step: 'hop1.pull', status: 'started' });
    expect(Number.isNaN(Date.parse(first.at))).toBe(false);
    expect(second).toMatchObject({ type: 'progress', current: 10, total: 20 });
  });

  it('takes a secret out of every string, nested, escaped or in a key, and the line stays valid JSON', () => {
    const line = eventLine(
      {
        type: 'log',
        step: 'hop1.recreate',
        level: 'info',
        message: `connecting with postgres://engram:${encodeURIComponent(PASSWORD)}@db/engram and ${PASSWORD}`,
        nested: { list: [`key=MASTERKEY-0123456789`, 3, null], [PASSWORD]: true },
      },
      secrets(),
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(line).not.toContain('w0rd');
    expect(line).not.toContain('MASTERKEY-0123456789');
    const parsed = JSON.parse(line);
    expect(parsed.at).toBe('2026-01-01T00:00:00.000Z');
    expect(parsed.message).toBe('connecting with postgres://engram:[redacted]@db/engram and [redacted]');
    expect(parsed.nested).toEqual({ list: ['key=[redacted]', 3, null], '[redacted]': true });
  });

  it('leaves an event without secrets as it was', () => {
    const event = { type: 'warning', message: 'a throwaway container was left behind: engram-verify-1' };
    const { at: _at, ...rest } = JSON.parse(eventLine(event, secrets()));
    expect(rest).toEqual(event);
  });
});
