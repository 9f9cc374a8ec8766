import type { OperationUsage } from './operation-usage.ts';

/** One entry of a usage report (registry/CONTRACT.md, `POST /usage`). */
export interface UsageEntry {
  /** Start of the UTC hour the count belongs to (ISO 8601). */
  hour: string;
  operation: { hash: string; name: string | null; signature: string };
  client: { name: string | null; version: string | null };
  count: number;
  coordinates: readonly string[];
}

export interface UsageClient {
  name: string | null;
  version: string | null;
}

const HOUR_MS = 3_600_000;

export interface UsageBufferOptions {
  /** Most distinct (hour, operation, client) entries held; a new one beyond is dropped. */
  maxEntries: number;
  /** Called with how many executions were dropped because the buffer was full. */
  onDropped: (executions: number) => void;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Usage counts between two reports, aggregated per hour, operation and client: a busy gateway
 * sends one entry per distinct operation and client each interval, whatever its request rate.
 * Bounded: when `maxEntries` distinct entries are held (a flood of distinct operations, or the
 * registry unreachable for long), new ones are dropped and counted — recording never blocks or
 * grows without limit.
 */
export function createUsageBuffer({ maxEntries, onDropped, now = Date.now }: UsageBufferOptions) {
  let entries = new Map<string, UsageEntry>();
  let hourStart = Number.NaN;
  let hour = '';
  const currentHour = () => {
    const start = Math.floor(now() / HOUR_MS) * HOUR_MS;
    if (start !== hourStart) {
      hourStart = start;
      hour = new Date(start).toISOString();
    }
    return hour;
  };
  const add = (entry: UsageEntry): boolean => {
    const key = `${entry.hour}\n${entry.operation.hash}\n${entry.client.name ?? ''}\n${entry.client.version ?? ''}`;
    const existing = entries.get(key);
    if (existing) {
      existing.count += entry.count;
      return true;
    }
    if (entries.size >= maxEntries) {
      onDropped(entry.count);
      return false;
    }
    entries.set(key, { ...entry });
    return true;
  };
  return {
    /** Counts one execution of `usage` by `client`, in the current hour. */
    record(usage: OperationUsage, client: UsageClient): void {
      add({
        hour: currentHour(),
        operation: { hash: usage.hash, name: usage.name, signature: usage.signature },
        client,
        count: 1,
        coordinates: usage.coordinates,
      });
    },
    /** Puts back entries a report could not deliver (counts add up; beyond the bound they are dropped). */
    restore(restored: readonly UsageEntry[]): void {
      for (const entry of restored) add(entry);
    },
    /** Everything held, emptying the buffer. */
    drain(): UsageEntry[] {
      const drained = [...entries.values()];
      entries = new Map();
      return drained;
    },
    get size(): number {
      return entries.size;
    },
  };
}

export type UsageBuffer = ReturnType<typeof createUsageBuffer>;
