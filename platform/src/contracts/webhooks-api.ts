import { z } from 'zod';

// The webhooks service's dead-letter API (/api/v1/dead-letters), destination states
// (/api/v1/destinations) and endpoint states (/api/v1/endpoints): the shapes it answers and the
// filter it takes, in one place for the service that serves them (its routes and OpenAPI
// document) and the console that calls them (its dead-letter panel) — a field renamed on one side
// fails the other's typecheck, and an answer that does not match is refused by the console's
// client instead of rendered half-empty. The two are deployed apart: a field added to an answer
// starts out optional here, so that a console deployed first still reads the service's answers.

/** How much of a destination's answer an attempt keeps (characters). */
export const ATTEMPT_RESPONSE_CHARS = 500;

/** One delivery attempt as the dead-letter history shows it. */
export const DeadLetterAttempt = z.object({
  attempt: z.number().int().positive(),
  /** When it started, ISO 8601 UTC. */
  at: z.string(),
  /** The destination's HTTP status; absent when no answer came (network error, timeout). */
  status: z.number().int().optional(),
  latencyMs: z.number(),
  /** Why it failed; absent when it succeeded. */
  error: z.string().optional(),
  /** The start of the destination's answer (at most ATTEMPT_RESPONSE_CHARS characters). */
  response: z.string().optional(),
});
export type DeadLetterAttempt = z.infer<typeof DeadLetterAttempt>;

export const DeadLetter = z
  .object({
    id: z.string().meta({ description: 'The delivery id, also its Idempotency-Key' }),
    source: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    destination: z.string(),
    idempotencyKey: z.string(),
    receivedAt: z.string(),
    failedAt: z.string().optional(),
    attempts: z.number().int(),
    error: z.string().meta({ description: 'The last attempt’s error' }),
    recorded: z.boolean().optional().meta({
      description:
        'A request another service sent to its upstream, recorded because it failed ambiguously (not safe to repeat): replayed once at most, and by a bulk replay only when the filter names its source',
    }),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetter = z.infer<typeof DeadLetter>;

export const DeadLetterDetail = DeadLetter.extend({
  contentType: z.string(),
  payload: z.string().meta({ description: 'The body as the sender sent it' }),
  history: z.array(DeadLetterAttempt.meta({ id: 'Attempt' })),
}).meta({ id: 'DeadLetterDetail' });
export type DeadLetterDetail = z.infer<typeof DeadLetterDetail>;

/** Which dead letters: every field optional, all given ones must match. */
export const DeadLetterFilter = z.object({
  source: z.string().min(1).optional(),
  eventType: z.string().min(1).optional(),
  destination: z.string().min(1).optional(),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Received at or after' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Received before' }),
  error: z.string().min(1).optional().meta({ description: 'Part of the last error' }),
});
export type DeadLetterFilter = z.infer<typeof DeadLetterFilter>;

/** A page of dead letters: the filter, then where the page starts and how long it is. */
export const DeadLetterQuery = DeadLetterFilter.extend({
  limit: z.coerce.number().int().min(1).max(1_000).default(100).meta({ description: 'Page size' }),
  cursor: z
    .string()
    .min(1)
    .max(1_000)
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page (same filter)' }),
});

export const DeadLetterList = z
  .object({
    total: z.number().int().meta({ description: 'Dead letters the filter matches, all pages' }),
    items: z.array(DeadLetter).meta({ description: 'This page, newest failure first' }),
    nextCursor: z
      .string()
      .optional()
      .meta({ description: 'Where the next page starts; absent on the last page' }),
  })
  .meta({ id: 'DeadLetterList' });
export type DeadLetterList = z.infer<typeof DeadLetterList>;

export const ReplayRequest = z
  .object({
    filter: DeadLetterFilter.default({}),
    dryRun: z.boolean().default(true).meta({
      description: 'Only count and list what would be replayed (the default: say false to replay)',
    }),
  })
  .meta({ id: 'ReplayRequest' });

export const ReplayOutcome = z
  .object({
    dryRun: z.boolean(),
    matched: z.number().int(),
    replayed: z.number().int(),
    held: z.number().int().optional().meta({
      description:
        'Matched but not sent: recorded upstream requests (not safe to repeat) when the filter does not name their source — review and replay those one by one, or by their source — those replayed once already, and letters whose stored data is not JSON (nothing could send them: inspect them)',
    }),
    first: z
      .array(DeadLetter)
      .meta({ description: 'The first to be sent, oldest event first (≤ 20)' }),
  })
  .meta({ id: 'ReplayOutcome' });
export type ReplayOutcome = z.infer<typeof ReplayOutcome>;

export const DestinationState = z
  .object({
    name: z.string(),
    state: z.enum(['active', 'open', 'half-open', 'paused']).meta({
      description:
        'active: deliveries go · open: the breaker holds them until openUntil · half-open: one probe goes · paused: held until resumed',
    }),
    openUntil: z
      .string()
      .optional()
      .meta({ description: 'When the open breaker lets a probe through' }),
    pausedAt: z.string().optional(),
    reason: z.string().optional().meta({ description: 'Why it was paused' }),
    heldUntil: z.string().optional().meta({
      description:
        'Its own Retry-After (with a 429 or 503) holds every delivery to it until then (no attempt used). Shown for a destination with rateLimit or breaker; any other is held by the worker process answered, unseen here',
    }),
    consecutiveFailures: z
      .number()
      .int()
      .meta({ description: 'Transient failures in a row since the breaker last closed or opened' }),
    consecutiveOpenings: z
      .number()
      .int()
      .meta({ description: 'Times the breaker opened with no success between' }),
    rateLimit: z.object({ max: z.number().int(), perSeconds: z.number().int() }).optional().meta({
      description: 'At most max deliveries in any perSeconds (sliding), all workers together',
    }),
  })
  .meta({ id: 'DestinationState' });
export type DestinationState = z.infer<typeof DestinationState>;

export const DestinationList = z
  .object({ items: z.array(DestinationState) })
  .meta({ id: 'DestinationList' });
export type DestinationList = z.infer<typeof DestinationList>;

export const EndpointState = z
  .object({
    name: z.string(),
    disabled: z.boolean(),
    disabledAt: z.string().optional(),
    reason: z.string().optional().meta({ description: 'Why it was disabled' }),
    failingSince: z
      .string()
      .optional()
      .meta({ description: 'Its first failed attempt since its last success' }),
    consecutiveDeadLetters: z
      .number()
      .int()
      .meta({ description: 'Dead letters since its last success' }),
  })
  .meta({ id: 'EndpointState' });
export type EndpointState = z.infer<typeof EndpointState>;

export const EndpointList = z
  .object({ items: z.array(EndpointState) })
  .meta({ id: 'EndpointList' });
export type EndpointList = z.infer<typeof EndpointList>;
