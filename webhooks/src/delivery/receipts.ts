import type { Redis } from 'ioredis';

/** Where an event's receipt is kept: its body's hash, for the duplicate window. */
export const receiptKey = (prefix: string, event: string) => `${prefix}:receipts:${event}`;

/**
 * How long a claim holds an event's id before its deliveries are stored: the claim and the adds
 * are one round trip apart, so this only outlasts a receiver that died between them — after it,
 * the id is free again, whatever body the sender's retry carries.
 */
export const CLAIM_LEASE_SECONDS = 60;

/** Marks a receipt claimed but not yet settled (its deliveries not known to be stored). */
const PENDING = '~';

/** What a claim found: nothing (this request holds the id now), or an earlier request's receipt. */
export type ClaimResult = null | { bodyHash: string; settled: boolean };

/**
 * Claims a receipt for the lease: set if none is kept, else the value kept is answered. One
 * script, so no other request can come between the read and the write: of two requests with one
 * id at the same instant, one claims and the other sees its claim.
 */
const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])`;

/**
 * Settles a receipt for the duplicate window once every delivery job of its event exists (KEYS[2..],
 * written before it on the connection): a receipt never stands for deliveries that are not
 * stored.
 */
const SETTLE = `
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`;

interface ReceiptCommands {
  manifoldClaimReceipt: (key: string, value: string, seconds: number) => Promise<string | null>;
  manifoldSettleReceipt: (
    keyCount: number,
    ...keysThenArgs: (string | number)[]
  ) => Promise<number>;
}

/**
 * Inbound events' receipts on the queue's Redis — the memory of the duplicate window: claimed
 * first (briefly, marked pending), then settled for `keepSeconds` by a script written after the
 * event's delivery adds, which checks that they are there. A receiver that dies between the claim
 * and the adds leaves a claim that lapses within the lease: the sender's retry is then new, or,
 * sooner and with the same body, finishes the event.
 */
export function createReceipts(redis: Redis, prefix: string, keepSeconds: number) {
  // EVALSHA once Redis knows the scripts (ioredis sends each whole only the first time).
  redis.defineCommand('manifoldClaimReceipt', { numberOfKeys: 1, lua: CLAIM });
  redis.defineCommand('manifoldSettleReceipt', { lua: SETTLE });
  const commands = redis as Redis & ReceiptCommands;
  const lease = Math.min(CLAIM_LEASE_SECONDS, keepSeconds);
  return {
    claim: async (event: string, bodyHash: string): Promise<ClaimResult> => {
      const kept = await commands.manifoldClaimReceipt(
        receiptKey(prefix, event),
        `${PENDING}${bodyHash}`,
        lease,
      );
      if (kept === null) return null;
      const settled = !kept.startsWith(PENDING);
      return { bodyHash: settled ? kept : kept.slice(PENDING.length), settled };
    },
    /** Issued after the adds of `jobKeys` on the same connection (Redis runs it after them). */
    settle: (event: string, bodyHash: string, jobKeys: readonly string[]) =>
      commands.manifoldSettleReceipt(
        1 + jobKeys.length,
        receiptKey(prefix, event),
        ...jobKeys,
        bodyHash,
        keepSeconds,
      ),
  };
}
export type Receipts = ReturnType<typeof createReceipts>;
