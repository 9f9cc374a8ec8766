import { hash } from 'node:crypto';

// One-shot: no Hash object per call (createHash's set-up is most of a short input's cost).
const sha256 = (text: string | Buffer) => hash('sha256', text, 'hex');

export const bodyHash = (body: Buffer) => sha256(body);

/**
 * The event's job id, from its source and the sender's id (hashed: a sender's id may be long or
 * hold characters a job id may not, such as `:`). A sender's retry maps to the same job.
 */
export const eventKey = (source: string, eventId: string) =>
  `${source}-${sha256(`${source}\n${eventId}`).slice(0, 40)}`;

/** The (event, destination) job id, also its Idempotency-Key: stable across retries and replays. */
export const deliveryKey = (event: string, destination: string) => `${event}-${destination}`;
