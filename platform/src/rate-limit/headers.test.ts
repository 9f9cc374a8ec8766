import { describe, expect, it } from 'vitest';
import { rateLimitHeaders, retryAfterOf } from './headers.ts';
import type { RateLimitDecision } from './limiter.ts';

const decision = (overrides: Partial<RateLimitDecision> = {}): RateLimitDecision => ({
  policy: { name: 'partner', points: 600, windowSeconds: 60 },
  allowed: true,
  remaining: 599,
  resetSeconds: 60,
  retryAfterSeconds: 0,
  unchecked: false,
  ...overrides,
});

describe('rateLimitHeaders', () => {
  it('writes one Structured Field list item per policy, as draft-ietf-httpapi-ratelimit-headers-11 does', () => {
    const headers = rateLimitHeaders([
      decision({
        policy: { name: 'partner-burst', points: 50, windowSeconds: 1 },
        remaining: 49,
        resetSeconds: 1,
      }),
      decision(),
    ]);
    expect(headers).toEqual({
      'ratelimit-policy': '"partner-burst";q=50;w=1, "partner";q=600;w=60',
      ratelimit: '"partner-burst";r=49;t=1, "partner";r=599;t=60',
    });
  });

  it('sends nothing when no policy applied', () => {
    expect(rateLimitHeaders([])).toEqual({});
  });
});

describe('retryAfterOf', () => {
  it('is the longest wait among the limits a request broke, and at least one second', () => {
    expect(
      retryAfterOf([
        decision({ allowed: false, retryAfterSeconds: 3 }),
        decision({ allowed: false, retryAfterSeconds: 40 }),
        decision({ retryAfterSeconds: 0 }),
      ]),
    ).toBe(40);
    expect(retryAfterOf([decision({ allowed: false, retryAfterSeconds: 0 })])).toBe(1);
  });
});
