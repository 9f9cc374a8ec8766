import { z } from 'zod';
import { Attempt } from './delivery/attempts.ts';

import { Problem, problemResponse } from '@manifold/platform/openapi';

export { Problem, problemResponse };

export const SourceParams = z.object({
  source: z
    .string()
    .meta({ description: 'A source configured in the webhooks file', example: 'stripe' }),
});

export const Receipt = z
  .object({
    status: z.enum(['accepted', 'duplicate']),
    eventId: z.string(),
    eventType: z.string(),
  })
  .meta({ id: 'Receipt' });

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
  })
  .meta({ id: 'DeadLetter' });

export const DeadLetterDetail = DeadLetter.extend({
  contentType: z.string(),
  payload: z.string().meta({ description: 'The body as the sender sent it' }),
  history: z.array(Attempt.meta({ id: 'Attempt' })),
}).meta({ id: 'DeadLetterDetail' });

export const DeadLetterQuery = z.object({
  source: z.string().min(1).optional(),
  eventType: z.string().min(1).optional(),
  destination: z.string().min(1).optional(),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Received at or after' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Received before' }),
  error: z.string().min(1).optional().meta({ description: 'Part of the last error' }),
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
    consecutiveDeadLetters: z.number().int(),
  })
  .meta({ id: 'EndpointState' });

export const EndpointList = z
  .object({ items: z.array(EndpointState) })
  .meta({ id: 'EndpointList' });

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
    consecutiveFailures: z.number().int(),
    consecutiveOpenings: z.number().int(),
    rateLimit: z
      .object({ max: z.number().int(), perSeconds: z.number().int() })
      .optional()
      .meta({ description: 'At most max deliveries per perSeconds, all workers together' }),
  })
  .meta({ id: 'DestinationState' });

export const DestinationList = z
  .object({ items: z.array(DestinationState) })
  .meta({ id: 'DestinationList' });

export const DestinationParams = z.object({ name: z.string().min(1).max(63) });

export const EndpointParams = z.object({ name: z.string().min(1).max(63) });

export const DeadLetterParams = z.object({ id: z.string().min(1).max(300) });

export const ReplayRequest = z
  .object({
    filter: DeadLetterQuery.omit({ limit: true, cursor: true }).default({}),
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
    first: z
      .array(DeadLetter)
      .meta({ description: 'The first to be sent, oldest event first (≤ 20)' }),
  })
  .meta({ id: 'ReplayOutcome' });
