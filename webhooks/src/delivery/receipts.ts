/**
 * Inbound events' receipts on the queue's Redis — the memory of the duplicate window: an event's
 * id (ids.ts `eventKey`) → its content hash (ids.ts `contentHash`), kept for the window from its
 * first arrival. Claimed with `SET NX GET` (Redis ≥ 7.0, checked at start: engine/redis-check.ts)
 * in the script that adds the event's deliveries (engine/claim-and-add.ts): kept if none is, else
 * the hash kept is answered and nothing is added. The receipt says which event (type and body) the
 * id stands for; a resend checks that its deliveries are stored (fan-out.ts).
 */
export const receiptKey = (prefix: string, event: string) => `${prefix}:receipts:${event}`;
