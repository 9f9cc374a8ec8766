import type { DestinationState } from '@manifold/platform/contracts';
import { AppError } from '@manifold/platform/errors';
import type { QueueRedis } from '@manifold/platform/dead-letters';
import { randomUUID } from 'node:crypto';
import { DEFAULT_MAX_RETRY_AFTER_MS } from '../config.ts';
import type { DestinationSettings } from '../settings/webhooks-file.ts';

/** How long a delivery to a paused destination waits before it looks again (a resume is seen within this). */
export const PAUSED_RECHECK_MS = 2_000;
/** How long a delivery waits while another one probes a half-open destination. */
const PROBE_WAIT_MS = 500;
/**
 * The most a delivery refused by a rate limit adds to its wait, at random, past the moment a
 * slot frees: refused together, they would all come back in the same millisecond for the one
 * slot freed then (every slot of the window, in a sliding log), each costing Redis a look.
 */
const RATE_SPREAD_MAX_MS = 30_000;

/**
 * A destination's state as the API answers it (the contract the console reads too): `active`,
 * `open` until `openUntil`, `half-open`, or `paused` since `pausedAt` for `reason`; `heldUntil`
 * while its Retry-After holds it (with `rateLimit` or `breaker`).
 */
export type { DestinationState };

/** Whether a delivery may go now; when not, how long it waits (it is delayed, not failed: no attempt used). */
export type Gate =
  | { go: true }
  | { go: false; waitMs: number; why: 'paused' | 'held' | 'open' | 'probing' | 'rate' };

/**
 * How long a held delivery waits before it looks again, at most: a resume ends a hold kept in
 * Redis, and the deliveries it held see that within this (a short hold is simply waited out).
 */
export const HELD_RECHECK_MS = 30_000;

const iso = (ms: string | undefined) =>
  ms === undefined || ms === '' ? undefined : new Date(Number(ms)).toISOString();

/**
 * A transient failure, atomically: while the breaker is open a late answer changes nothing;
 * otherwise the streak grows, and reaching the threshold — or any failure while half-open (the
 * probe) — opens the breaker again for the cool-down. So many opening in a row without a success
 * pauses the destination (HSETNX: once). Returns 0 (nothing), 1 (opened) or 2 (opened and paused).
 */
const FAILED_SCRIPT = `
local now = tonumber(ARGV[1])
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
if openUntil > now or redis.call('HEXISTS', KEYS[1], 'pausedAt') == 1 then return 0 end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if openUntil == 0 and failures < tonumber(ARGV[2]) then return 0 end
local openings = redis.call('HINCRBY', KEYS[1], 'openings', 1)
redis.call('HSET', KEYS[1], 'openUntil', now + tonumber(ARGV[3]), 'failures', 0)
redis.call('DEL', KEYS[2])
if openings >= tonumber(ARGV[4]) and redis.call('HSETNX', KEYS[1], 'pausedAt', now) == 1 then
  redis.call('HSET', KEYS[1], 'reason', 'breaker opened ' .. openings .. ' times in a row without a success')
  return 2
end
return 1
`;

/**
 * A hold only ever lengthens: two answers at once, the later `until` stands. Returns 1 when no
 * hold was running (ARGV[2]: now), so that its start is said once, not per refusal. A half-open
 * breaker's probe (KEYS[2]) is released: the answer that held the destination was neither its
 * success nor its failure, and the first delivery after the hold probes.
 */
const HOLD_SCRIPT = `
redis.call('DEL', KEYS[2])
local heldUntil = tonumber(ARGV[1])
local known = tonumber(redis.call('HGET', KEYS[1], 'heldUntil') or '0')
if known >= heldUntil then return 0 end
redis.call('HSET', KEYS[1], 'heldUntil', ARGV[1])
if known <= tonumber(ARGV[2]) then return 1 end
return 0
`;

/**
 * A rate limit as a sliding log: the send times of the last `perSeconds` (a sorted set, Redis's
 * clock), a delivery admitted only while fewer than `max` are in it. Never more than `max` in any
 * span of `perSeconds` — a fixed window (rate-limiter-flexible's, the only kind it keeps in Redis)
 * lets `2 × max` through across a window's edge, which a destination's own sliding limit answers
 * with 429s. KEYS: the log, the destination's state. ARGV: the span in ms, max, a member unique to
 * this call, and — for a destination whose state nothing else read this time (a rate limit
 * without a breaker) — now (ms): its pause and hold are then checked here first, so that its
 * gate is one round trip. Returns {verdict, value}: {0, 0} admitted, {1, 0} paused, {2,
 * heldUntil} held, {3, ms until the oldest send leaves the span} refused. Runs per delivery:
 * loaded once per connection (EVALSHA), as are the others.
 */
const RATE_SCRIPT = `
if ARGV[4] ~= '' then
  if redis.call('HEXISTS', KEYS[2], 'pausedAt') == 1 then return {1, 0} end
  local heldUntil = tonumber(redis.call('HGET', KEYS[2], 'heldUntil') or '0')
  if heldUntil > tonumber(ARGV[4]) then return {2, heldUntil} end
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local span = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], span)
  return {0, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {3, math.max(1, tonumber(oldest[2]) + span - now)}
`;
const RATE_VERDICT = { admitted: 0, paused: 1, held: 2, refused: 3 } as const;

/** The scripts, each loaded once per connection and then run by its SHA. */
const COMMANDS = {
  manifoldDestinationFailed: { numberOfKeys: 2, lua: FAILED_SCRIPT },
  manifoldDestinationHold: { numberOfKeys: 2, lua: HOLD_SCRIPT },
  manifoldDestinationRate: { numberOfKeys: 2, lua: RATE_SCRIPT },
} as const;
type Command = (...keysAndArgs: string[]) => Promise<unknown>;

export interface DestinationStatesOptions {
  /** The queue's Redis: every worker process sees the same limit, breaker and pause. */
  redis: QueueRedis;
  /** The queues' (hash-tagged) prefix: the keys live in the queues' slot. */
  prefix: string;
  destinations: Readonly<Record<string, DestinationSettings>>;
  /** Called once when a destination is paused (by the worker whose failure paused it). */
  onPaused?: (state: DestinationState) => void;
  /** Called when this process starts holding a destination (a hold it knew of, lengthened: not). */
  onHeld?: (name: string, until: Date) => void;
  /** The longest a destination's Retry-After holds it (WEBHOOKS_MAX_RETRY_AFTER_MS). */
  maxHoldMs?: number;
  now?: () => number;
}

/**
 * Each destination's health and pace, in Redis so every worker process shares them: a rate
 * limit (a sliding log, RATE_SCRIPT: one budget for all workers), a circuit breaker
 * (open after N transient failures in a row, one half-open probe after the cool-down) and a pause
 * (after the breaker opened M times in a row; only an operator's resume ends it). Destinations
 * with neither `rateLimit` nor `breaker` cost nothing: no Redis round trip per delivery.
 *
 * And a hold: a destination that answers 429 or 503 with Retry-After has said when it takes
 * requests again — from us, not from that one delivery. Every delivery to it then waits until
 * then (no attempt used), instead of each sending in turn, being refused, and using up its
 * attempts until it is a dead letter. For a destination with `rateLimit` or `breaker` the hold
 * is kept in Redis, read with the rest of its state per delivery (for a destination with a rate
 * limit alone, by the rate script itself: one round trip): every worker process holds, the
 * API shows `heldUntil`, and a resume ends it. Any other destination, and a registered endpoint,
 * is held by the worker process that was answered, in its memory alone (no Redis round trip per
 * delivery): the others each learn it from their own first refusal.
 */
export function createDestinationStates({
  redis,
  prefix,
  destinations,
  onPaused,
  onHeld,
  maxHoldMs = DEFAULT_MAX_RETRY_AFTER_MS,
  now = Date.now,
}: DestinationStatesOptions) {
  /** Holds of destinations kept in this process's memory (no state in Redis): until when, in ms. */
  const heldHere = new Map<string, number>();
  const keptInRedis = (name: string) =>
    destinations[name]?.breaker !== undefined || destinations[name]?.rateLimit !== undefined;
  /**
   * A held delivery's wait: to the hold's end (HELD_RECHECK_MS at most), with a little jitter —
   * they do not all come back in the same millisecond.
   */
  const heldFor = (until: number): Gate => ({
    go: false,
    waitMs: Math.min(until - now(), HELD_RECHECK_MS) + Math.random() * 200,
    why: 'held',
  });
  const key = (name: string) => `${prefix}:destination:${name}`;
  const probeKey = (name: string) => `${prefix}:destination:${name}:probe`;
  for (const [name, definition] of Object.entries(COMMANDS)) redis.defineCommand(name, definition);
  const run = (name: keyof typeof COMMANDS): Command =>
    (redis as unknown as Record<keyof typeof COMMANDS, Command>)[name].bind(redis);
  const runFailed = run('manifoldDestinationFailed');
  const runHold = run('manifoldDestinationHold');
  const runRate = run('manifoldDestinationRate');
  /** Where a rate-limited destination's sends are logged (a new key: the former limiter's was another type). */
  const rateKey = (name: string) => `${prefix}:destination-sent:${name}`;

  const read = async (name: string): Promise<DestinationState> => {
    const fields = await redis.hgetall(key(name));
    const openUntil = Number(fields['openUntil'] ?? 0);
    const heldUntil = Number(fields['heldUntil'] ?? 0);
    return {
      name,
      state:
        fields['pausedAt'] !== undefined
          ? 'paused'
          : openUntil > now()
            ? 'open'
            : openUntil > 0
              ? 'half-open'
              : 'active',
      openUntil: openUntil > 0 ? new Date(openUntil).toISOString() : undefined,
      pausedAt: iso(fields['pausedAt']),
      reason: fields['reason'],
      heldUntil: heldUntil > now() ? new Date(heldUntil).toISOString() : undefined,
      consecutiveFailures: Number(fields['failures'] ?? 0),
      consecutiveOpenings: Number(fields['openings'] ?? 0),
      rateLimit: destinations[name]?.rateLimit,
    };
  };

  /**
   * The rate limit's say, last in the gate. Unless the caller read the state already, the script
   * first checks the pause and the hold (a destination with a rate limit and no breaker).
   */
  const rateGate = async (
    name: string,
    { max, perSeconds }: NonNullable<DestinationSettings['rateLimit']>,
    { probing, stateRead = false }: { probing: boolean; stateRead?: boolean },
  ): Promise<Gate> => {
    const spanMs = perSeconds * 1000;
    const [verdict, value] = (await runRate(
      rateKey(name),
      key(name),
      String(spanMs),
      String(max),
      randomUUID(),
      stateRead ? '' : String(now()),
    )) as [number, number];
    switch (verdict) {
      case RATE_VERDICT.admitted:
        return { go: true };
      case RATE_VERDICT.paused:
        return { go: false, waitMs: PAUSED_RECHECK_MS, why: 'paused' };
      case RATE_VERDICT.held:
        return heldFor(value);
      default:
        // The probe does not go now: another delivery may take it at once.
        if (probing) await redis.del(probeKey(name));
        return {
          go: false,
          waitMs: value + Math.random() * Math.min(spanMs, RATE_SPREAD_MAX_MS),
          why: 'rate',
        };
    }
  };

  return {
    /** Pause, hold, breaker, then rate limit: the first that says wait decides how long. */
    gate: async (name: string): Promise<Gate> => {
      const settings = destinations[name];
      if (!settings || !keptInRedis(name)) {
        const heldUntil = heldHere.get(name) ?? 0;
        return heldUntil > now() ? heldFor(heldUntil) : { go: true };
      }
      // A rate limit alone: its pause and hold are read by the rate script, in one round trip.
      const { breaker, rateLimit } = settings;
      if (!breaker) return rateLimit ? rateGate(name, rateLimit, { probing: false }) : { go: true };
      const fields = await redis.hmget(key(name), 'pausedAt', 'heldUntil', 'openUntil');
      if (fields[0] !== null) return { go: false, waitMs: PAUSED_RECHECK_MS, why: 'paused' };
      const heldUntil = Number(fields[1] ?? 0);
      if (heldUntil > now()) return heldFor(heldUntil);
      let probing = false;
      const openUntil = Number(fields[2] ?? 0);
      const at = now();
      // A little jitter: the held deliveries do not all come back in the same millisecond.
      if (openUntil > at)
        return { go: false, waitMs: openUntil - at + Math.random() * 200, why: 'open' };
      if (openUntil > 0) {
        const claimed = await redis.set(
          probeKey(name),
          String(at),
          'PX',
          breaker.coolDownSeconds * 1000,
          'NX',
        );
        if (claimed === null) return { go: false, waitMs: PROBE_WAIT_MS, why: 'probing' };
        probing = true;
      }
      if (rateLimit) return rateGate(name, rateLimit, { probing, stateRead: true });
      return { go: true };
    },

    /** A delivery reached it: the breaker closes, the failure streak ends. */
    succeeded: async (name: string): Promise<void> => {
      if (!destinations[name]?.breaker) return;
      // Two plain commands, written together: each only clears, so no reader is misled between
      // them, and a MULTI would cost ioredis a pipeline object (a copy of every BullMQ script
      // on this connection) per successful delivery.
      await Promise.all([
        redis.hdel(key(name), 'failures', 'openUntil', 'openings'),
        redis.del(probeKey(name)),
      ]);
    },

    /**
     * It answered 429 or 503 with Retry-After: every delivery to it waits that long (at most
     * maxHoldMs) — in Redis for every process, or in this one's memory (see above).
     */
    held: async (name: string, retryAfterMs: number): Promise<void> => {
      if (retryAfterMs <= 0) return;
      const at = now();
      const until = at + Math.min(retryAfterMs, maxHoldMs);
      if (keptInRedis(name)) {
        const started = await runHold(key(name), probeKey(name), String(until), String(at));
        if (started === 1) onHeld?.(name, new Date(until));
        return;
      }
      const known = heldHere.get(name) ?? 0;
      if (known >= until) return;
      heldHere.set(name, until);
      if (known <= at) onHeld?.(name, new Date(until));
    },

    /**
     * A transient failure (network, timeout, 408, 5xx, a 429 without Retry-After): may open the
     * breaker, and pause.
     */
    failed: async (name: string): Promise<void> => {
      const breaker = destinations[name]?.breaker;
      if (!breaker) return;
      const outcome = await runFailed(
        key(name),
        probeKey(name),
        String(now()),
        String(breaker.failures),
        String(breaker.coolDownSeconds * 1000),
        String(breaker.pauseAfterOpenings),
      );
      if (outcome === 2) onPaused?.(await read(name));
    },

    /** Every configured destination's state, in configuration order. */
    list: (): Promise<DestinationState[]> => Promise.all(Object.keys(destinations).map(read)),

    /**
     * Ends a pause (and the breaker's record, and a hold kept in Redis): held deliveries go again
     * within PAUSED_RECHECK_MS (a pause) or HELD_RECHECK_MS (a hold).
     */
    resume: async (name: string): Promise<DestinationState> => {
      if (!destinations[name]) throw new AppError('NOT_FOUND', `No destination ${name}`);
      await redis.del(key(name), probeKey(name));
      return read(name);
    },
  };
}
export type DestinationStates = ReturnType<typeof createDestinationStates>;
