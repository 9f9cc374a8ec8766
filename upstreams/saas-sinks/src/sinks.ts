import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export const SINK_NAMES = ['crm', 'chat', 'accounting'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

/** How a sink misbehaves on purpose: a share of requests failing with a status, a delay before every answer. */
export interface FailureInjection {
  ratio: number;
  status: number;
  latencyMs: number;
}

/** An answer as the sink gave it: a retry with the same Idempotency-Key gets it again. */
interface StoredAnswer {
  status: number;
  body: string;
  contentType: string;
}

export interface Effect {
  idempotencyKey: string;
  eventId: string | undefined;
  at: string;
}

/** What a request gets: the answer, and the wait a 429 asks for. */
export interface SinkAnswer extends StoredAnswer {
  retryAfterSeconds?: number;
}

/** Effects kept for the counts endpoint (the oldest dropped first beyond this). */
const KEPT_EFFECTS = 100_000;

/**
 * One SaaS stand-in: applies each Idempotency-Key once (a repeat answers as the first did, with
 * no second effect), refuses requests beyond its rate with 429 + Retry-After, and fails a share of
 * requests on purpose. State is in memory: a restart forgets it, as a test wants.
 */
export function createSink(
  name: SinkName,
  {
    ratePerSecond,
    failures,
    random = Math.random,
  }: {
    ratePerSecond: number;
    failures: FailureInjection;
    random?: () => number;
  },
) {
  let limiter = new RateLimiterMemory({ points: ratePerSecond, duration: 1 });
  const answers = new Map<string, StoredAnswer>();
  const effects: Effect[] = [];
  const counts = { requests: 0, effects: 0, repeats: 0, limited: 0, injectedFailures: 0 };
  const injection = { ...failures };
  const okAnswer = (): StoredAnswer =>
    name === 'chat'
      ? { status: 200, body: 'ok', contentType: 'text/plain' } // as Slack's incoming webhooks answer
      : {
          status: 201,
          body: JSON.stringify({ id: `${name}-${counts.effects}`, status: 'recorded' }),
          contentType: 'application/json',
        };

  return {
    name,
    /** One request: rate limit, then a repeated key's stored answer, then injected failure, then the effect. */
    receive: async (request: {
      idempotencyKey: string | undefined;
      eventId: string | undefined;
    }): Promise<SinkAnswer> => {
      counts.requests += 1;
      if (injection.latencyMs > 0)
        await new Promise((resolve) => setTimeout(resolve, injection.latencyMs));
      try {
        await limiter.consume(name);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        counts.limited += 1;
        return {
          status: 429,
          body: JSON.stringify({ error: 'rate_limited' }),
          contentType: 'application/json',
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        };
      }
      const key = request.idempotencyKey;
      const earlier = key === undefined ? undefined : answers.get(key);
      if (earlier) {
        counts.repeats += 1;
        return earlier;
      }
      if (injection.ratio > 0 && random() < injection.ratio) {
        counts.injectedFailures += 1;
        return {
          status: injection.status,
          body: JSON.stringify({ error: 'injected_failure' }),
          contentType: 'application/json',
        };
      }
      counts.effects += 1;
      effects.push({
        idempotencyKey: key ?? '',
        eventId: request.eventId,
        at: new Date().toISOString(),
      });
      if (effects.length > KEPT_EFFECTS) effects.shift();
      const answer = okAnswer();
      if (key !== undefined) answers.set(key, answer);
      return answer;
    },
    /** Counts and the effects in the order they were applied. */
    report: () => ({
      name,
      ...counts,
      failureInjection: { ...injection },
      ratePerSecond,
      effects: [...effects],
    }),
    inject: (next: { [K in keyof FailureInjection]?: FailureInjection[K] | undefined }) => {
      for (const [field, value] of Object.entries(next))
        if (value !== undefined) injection[field as keyof FailureInjection] = value;
    },
    limit: (perSecond: number) => {
      ratePerSecond = perSecond;
      limiter = new RateLimiterMemory({ points: perSecond, duration: 1 });
    },
    reset: () => {
      answers.clear();
      effects.length = 0;
      Object.assign(counts, {
        requests: 0,
        effects: 0,
        repeats: 0,
        limited: 0,
        injectedFailures: 0,
      });
    },
  };
}
export type Sink = ReturnType<typeof createSink>;
