import { EventEmitter } from 'node:events';
import { AppError } from '@manifold/platform/errors';
import type { Request, RequestHandler, Response } from 'express';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CostBudget } from '../limits/cost-budget.ts';
import { useCostBudget } from './cost-budget.ts';

const refusal = new AppError('RATE_LIMITED', 'The cost budget is used up', {
  details: { retryAfterSeconds: 30, violatedPolicies: ['graphql-cost'] },
});

/** A response that records what was sent. */
function fakeResponse() {
  const res = Object.assign(new EventEmitter(), {
    statusCode: 0,
    sent: undefined as string | undefined,
    status(code: number) {
      res.statusCode = code;
      return res;
    },
    set() {
      return res;
    },
    end(body: string) {
      res.sent = body;
      return res;
    },
  });
  return res;
}

function guardOf(exhausted: boolean, holdMs: number): RequestHandler {
  const budget = { exhausted: () => (exhausted ? refusal : undefined) } as unknown as CostBudget;
  const [guard] = useCostBudget({ budget, clientKeyOf: () => 'client:flooder', holdMs }).http ?? [];
  if (!guard) throw new Error('no guard');
  return guard;
}

// No caller recorded: anonymous.
const request = { headers: {} } as unknown as Request;

describe('useCostBudget', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds the refusal of a client out of budget for holdMs, then sends 429 (HAProxy tarpit)', () => {
    const res = fakeResponse();
    const next = vi.fn();
    void guardOf(true, 1_000)(request, res as unknown as Response, next);
    vi.advanceTimersByTime(999);
    expect(res.sent).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(res.statusCode).toBe(429);
    expect(JSON.parse(res.sent ?? '{}')).toMatchObject({
      errors: [{ extensions: { code: 'RATE_LIMITED', violatedPolicies: ['graphql-cost'] } }],
    });
    expect(next).not.toHaveBeenCalled();
  });

  it('sends nothing when the client hangs up while held', () => {
    const res = fakeResponse();
    void guardOf(true, 1_000)(request, res as unknown as Response, vi.fn());
    res.emit('close');
    vi.advanceTimersByTime(1_000);
    expect(res.sent).toBeUndefined();
  });

  it('lets a client with budget left through at once', () => {
    const next = vi.fn();
    void guardOf(false, 1_000)(request, fakeResponse() as unknown as Response, next);
    expect(next).toHaveBeenCalledOnce();
  });
});
