import { z } from 'zod';
import { Problem, problemResponse } from '@manifold/platform/openapi';

// The dead-letter API's own shapes are shared with the console that calls it:
// platform/src/contracts/webhooks-api.ts.
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
