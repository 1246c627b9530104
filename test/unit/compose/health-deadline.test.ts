import { describe, expect, it } from 'vitest';
import { healthDeadlineMs, parseComposeDuration } from '../../../src/compose/health-deadline';

describe('parseComposeDuration', () => {
  it('reads the forms compose accepts', () => {
    expect(parseComposeDuration('30s')).toBe(30_000);
    expect(parseComposeDuration('1m30s')).toBe(90_000);
    expect(parseComposeDuration('1h')).toBe(3_600_000);
    expect(parseComposeDuration('250ms')).toBe(250);
    expect(parseComposeDuration('1.5s')).toBe(1500);
  });
  it('says null for anything else', () => {
    for (const bad of ['', 'soon', '30', '-5s', '5 s', null, undefined])
      expect(parseComposeDuration(bad)).toBeNull();
  });
});

describe('healthDeadlineMs', () => {
  const file = (hc: string) => ({
    path: 'compose.yaml',
    text: `services:\n  engram:\n    image: x:1\n${hc ? `    healthcheck:\n${hc}` : ''}`,
  });
  it("is Engram's stock healthcheck: 30 s start period + 5 s × 10 retries", () => {
    expect(
      healthDeadlineMs([file('      interval: 5s\n      retries: 10\n      start_period: 30s\n')], 'engram'),
    ).toBe(80_000);
  });
  it("uses Docker's defaults (30 s × 3) without a healthcheck, and never less than the floor", () => {
    expect(healthDeadlineMs([file('')], 'engram')).toBe(90_000);
    expect(healthDeadlineMs([file('      interval: 1s\n      retries: 2\n')], 'engram')).toBe(60_000);
  });
  it('lets a later file override an earlier one field by field', () => {
    const override = {
      path: 'override.yaml',
      text: 'services:\n  engram:\n    healthcheck:\n      start_period: 2m\n',
    };
    expect(healthDeadlineMs([file('      interval: 5s\n      retries: 10\n'), override], 'engram')).toBe(
      170_000,
    );
  });
});
