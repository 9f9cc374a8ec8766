import { describe, expect, it } from 'vitest';
import { createRestartPolicy } from './restart-policy.ts';

describe('createRestartPolicy', () => {
  it('doubles the wait for each crash in a row, up to the cap, then gives up', () => {
    const policy = createRestartPolicy({ firstDelayMs: 1_000, maxDelayMs: 5_000, maxCrashes: 5 });
    const decisions = Array.from({ length: 5 }, () => policy.crashed(100));
    expect(decisions).toEqual([
      { restart: true, crashes: 1, delayMs: 1_000 },
      { restart: true, crashes: 2, delayMs: 2_000 },
      { restart: true, crashes: 3, delayMs: 4_000 },
      { restart: true, crashes: 4, delayMs: 5_000 },
      { restart: false, crashes: 5 },
    ]);
  });

  it('starts counting afresh after a stable run', () => {
    const policy = createRestartPolicy({ maxCrashes: 3, stableAfterMs: 10_000 });
    policy.crashed(100);
    policy.crashed(100);
    expect(policy.crashed(10_000)).toEqual({ restart: true, crashes: 1, delayMs: 1_000 });
    expect(policy.crashed(50)).toEqual({ restart: true, crashes: 2, delayMs: 2_000 });
    expect(policy.crashed(50)).toEqual({ restart: false, crashes: 3 });
  });
});
