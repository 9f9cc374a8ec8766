import { z } from 'zod';
import { Problem, problemResponse } from '@manifold/platform/openapi';

// The dead-letter and destination APIs' own shapes are shared with the console that calls them:
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

export const DestinationParams = z.object({ name: z.string().min(1).max(63) });

export const EndpointParams = z.object({ name: z.string().min(1).max(63) });

export const DeadLetterParams = z.object({ id: z.string().min(1).max(300) });
