import type { EndpointState } from '@manifold/platform/contracts';
import { AppError } from '@manifold/platform/errors';
import type { QueueRedis } from '@manifold/platform/dead-letters';

/** When an endpoint that only fails is disabled: whichever comes first. */
export interface DisableRule {
  /** Consecutive dead letters (no delivery succeeded in between). */
  afterDeadLetters: number;
  /** Time since its first failure with no success since (ms). */
  afterMs: number;
}

/**
 * An endpoint's state as the API answers it (the contract the console reads too): disabled since
 * `disabledAt` for `reason`, or not; failing since `failingSince`, with its dead letters in a row.
 */
export type { EndpointState };

const iso = (ms: string | undefined) =>
  ms === undefined || ms === '' ? undefined : new Date(Number(ms)).toISOString();

function toState(name: string, fields: Record<string, string>): EndpointState {
  return {
    name,
    disabled: fields['disabledAt'] !== undefined,
    disabledAt: iso(fields['disabledAt']),
    reason: fields['reason'],
    failingSince: iso(fields['failingSince']),
    consecutiveDeadLetters: Number(fields['deadLetters'] ?? 0),
  };
}

export interface EndpointStatesOptions {
  /** The queue's Redis: the state is shared by every worker process. */
  redis: QueueRedis;
  /** The queues' (hash-tagged) prefix: an endpoint's key lives in the queues' slot. */
  prefix: string;
  /** The configured endpoints. */
  names: readonly string[];
  rule: DisableRule;
  /** Called once per disabling, by the worker whose failure crossed the rule. */
  onDisabled: (state: EndpointState) => Promise<void>;
  now?: () => number;
}

/**
 * Each registered endpoint's health, in one Redis hash per endpoint: since when it fails, how
 * many dead letters in a row, and whether (since when, why) it is disabled. A success clears the
 * failure streak; a failure that crosses the rule disables it — HSETNX makes exactly one worker
 * the one that does, and so calls `onDisabled` (the `endpoint.disabled` event) once.
 */
export function createEndpointStates({
  redis,
  prefix,
  names,
  rule,
  onDisabled,
  now = Date.now,
}: EndpointStatesOptions) {
  const known = new Set(names);
  const key = (name: string) => `${prefix}:endpoint:${name}`;
  const read = async (name: string) => toState(name, await redis.hgetall(key(name)));

  return {
    /** The endpoint's state when it is disabled; undefined while it is enabled. */
    disabled: async (name: string): Promise<EndpointState | undefined> => {
      const state = await read(name);
      return state.disabled ? state : undefined;
    },

    /** A delivery reached it: the failure streak is over. */
    succeeded: async (name: string): Promise<void> => {
      await redis.hdel(key(name), 'failingSince', 'deadLetters');
    },

    /** An attempt failed (`deadLettered`: it was the delivery's last). Disables it when the rule says so. */
    failed: async (name: string, { deadLettered }: { deadLettered: boolean }): Promise<void> => {
      const at = now();
      const results = await redis
        .multi()
        .hsetnx(key(name), 'failingSince', String(at))
        .hincrby(key(name), 'deadLetters', deadLettered ? 1 : 0)
        .hgetall(key(name))
        .exec();
      const fields = (results?.[2]?.[1] ?? {}) as Record<string, string>;
      const state = toState(name, fields);
      if (state.disabled) return;
      const failingMs = at - Number(fields['failingSince'] ?? at);
      const reason =
        state.consecutiveDeadLetters >= rule.afterDeadLetters
          ? `${state.consecutiveDeadLetters} dead letters in a row`
          : failingMs >= rule.afterMs
            ? `only failures for ${Math.round(failingMs / 3_600_000)} h`
            : undefined;
      if (reason === undefined) return;
      if ((await redis.hsetnx(key(name), 'disabledAt', String(at))) === 0) return;
      await redis.hset(key(name), 'reason', reason);
      await onDisabled({
        ...state,
        disabled: true,
        disabledAt: new Date(at).toISOString(),
        reason,
      });
    },

    /** Every configured endpoint's state, in configuration order. */
    list: (): Promise<EndpointState[]> => Promise.all(names.map(read)),

    /** Enables it again with a clean record (its dead letters stay, to replay). */
    enable: async (name: string): Promise<EndpointState> => {
      if (!known.has(name)) throw new AppError('NOT_FOUND', `No endpoint ${name}`);
      await redis.del(key(name));
      return read(name);
    },
  };
}
export type EndpointStates = ReturnType<typeof createEndpointStates>;
