import { describe, expect, it } from 'vitest';
import { parseRetryAfter, parseRetrySchedule, retryDelayMs } from './retry-schedule.ts';

describe('parseRetrySchedule', () => {
  it('reads ms, s, m and h', () => {
    expect(parseRetrySchedule(['250ms', '2s', '1m', '1h'])).toEqual([
      250, 2_000, 60_000, 3_600_000,
    ]);
  });

  it('refuses a delay without a unit', () => {
    expect(() => parseRetrySchedule(['5'])).toThrow(/<number><ms\|s\|m\|h>/);
  });
});

describe('retryDelayMs', () => {
  const schedule = [1_000, 5_000, 30_000];
  const options = { schedule, retryAfterMs: undefined, maxRetryAfterMs: 60_000 };

  it('draws with full jitter between 0 and the cap of the retry', () => {
    expect(retryDelayMs(1, { ...options, random: () => 0 })).toBe(0);
    expect(retryDelayMs(2, { ...options, random: () => 0.5 })).toBe(2_500);
    expect(retryDelayMs(3, { ...options, random: () => 0.999 })).toBe(29_970);
  });

  it('keeps the last cap for retries beyond the schedule', () => {
    expect(retryDelayMs(9, { ...options, random: () => 0.5 })).toBe(15_000);
  });

  it('respects Retry-After header: never sooner than asked, capped at the maximum', () => {
    expect(retryDelayMs(1, { ...options, retryAfterMs: 7_000, random: () => 0.5 })).toBe(7_000);
    expect(retryDelayMs(3, { ...options, retryAfterMs: 2_000, random: () => 0.5 })).toBe(15_000);
    expect(retryDelayMs(1, { ...options, retryAfterMs: 600_000, random: () => 0 })).toBe(60_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates; ignores what it cannot read', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(parseRetryAfter('Fri, 04 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
