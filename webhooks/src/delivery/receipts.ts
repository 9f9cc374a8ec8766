import type { Redis } from 'ioredis';

/** Where an event's receipt is kept: its content hash (type and body), for the duplicate window. */
export const receiptKey = (prefix: string, event: string) => `${prefix}:receipts:${event}`;

/** What a claim found: nothing (this request holds the id now), or the content hash an earlier request kept. */
export type ClaimResult = null | { contentHash: string };

/**
 * Inbound events' receipts on the queue's Redis — the memory of the duplicate window: an event's
 * id → its content hash (ids.ts), kept `keepSeconds` from its first arrival.
 *
 * One command per event, `SET NX GET` (Redis ≥ 7.0, checked at start: engine/redis-check.ts):
 * kept if none is, else the hash kept is answered, in one step — of two requests with one id at
 * the same instant, one claims and the other sees its claim. The receipt says which event (type
 * and body) the id stands for, not that its deliveries are stored: a resend checks those (fan-out.ts). Once a
 * settle script followed the adds to say so: a third Redis script per event. Without it, in
 * alternating bench:webhooks runs, the service's CPU per event fell 9–12 %, Redis's 19–22 %, and the
 * ingest rate rose 7–19 % (docs/benchmarks.md).
 *
 * A receiver that dies after its claim and before the adds leaves a receipt that stands for
 * nothing stored yet: the sender's resend of the same event stores it (202); another body or type
 * with that id is refused (409) for the window, as any reuse of an id is.
 */
export function createReceipts(redis: Redis, prefix: string, keepSeconds: number) {
  return {
    claim: async (event: string, contentHash: string): Promise<ClaimResult> => {
      const kept = await redis.set(
        receiptKey(prefix, event),
        contentHash,
        'EX',
        keepSeconds,
        'NX',
        'GET',
      );
      return kept === null ? null : { contentHash: kept };
    },
  };
}
export type Receipts = ReturnType<typeof createReceipts>;
