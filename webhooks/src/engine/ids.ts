import { hash } from 'node:crypto';

// One-shot: no Hash object per call (createHash's set-up is most of a short input's cost).
const sha256 = (text: string | Buffer) => hash('sha256', text, 'hex');

/**
 * What an event's receipt keeps to tell a sender's retry from a reuse of its id: the SHA-256 of its
 * type and its body, hex. The type too: a scheme that names it in a header (GitHub, Shopify) can
 * send the same body under another type, which routes elsewhere — another event, not a retry.
 */
export const contentHash = (eventType: string, body: Buffer) =>
  sha256(Buffer.concat([Buffer.from(`${eventType}\n`), body]));

/**
 * What a receipt kept before it held the type: the body's SHA-256 alone. A receipt of that kind is
 * still in Redis for a duplicate window after an upgrade; a retry matching it is a duplicate.
 */
export const bodyOnlyHash = (body: Buffer) => sha256(body);

/**
 * The event's job id, from its source and the sender's id (hashed: a sender's id may be long or
 * hold characters a job id may not, such as `:`). A sender's retry maps to the same job.
 */
export const eventKey = (source: string, eventId: string) =>
  `${source}-${sha256(`${source}\n${eventId}`).slice(0, 40)}`;

/** The (event, destination) job id, also its Idempotency-Key: stable across retries and replays. */
export const deliveryKey = (event: string, destination: string) => `${event}-${destination}`;
