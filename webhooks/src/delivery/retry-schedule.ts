const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `['1s', '500ms', '2m']` → milliseconds. */
export function parseRetrySchedule(items: readonly string[]): number[] {
  return items.map((item) => {
    const match = /^(\d+)(ms|s|m|h)$/.exec(item.trim());
    if (!match) throw new Error(`retry delay "${item}" is not <number><ms|s|m|h>`);
    return Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1_000);
  });
}

export interface RetryDelayOptions {
  /** Delay caps, one per retry; the last repeats if attempts outnumber them. */
  schedule: readonly number[];
  /** What the destination asked for (Retry-After), if it did. */
  retryAfterMs: number | undefined;
  maxRetryAfterMs: number;
  random?: () => number;
}

/**
 * The wait before retry number `retry` (1 = the first retry): full jitter — uniformly anywhere
 * between 0 and the schedule's cap, so a crowd of failed deliveries does not come back at once —
 * but never sooner than the destination's Retry-After.
 */
export function retryDelayMs(
  retry: number,
  { schedule, retryAfterMs, maxRetryAfterMs, random = Math.random }: RetryDelayOptions,
): number {
  const cap = schedule[Math.min(retry, schedule.length) - 1] ?? 0;
  const jittered = Math.floor(random() * cap);
  return retryAfterMs === undefined
    ? jittered
    : Math.max(jittered, Math.min(retryAfterMs, maxRetryAfterMs));
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
