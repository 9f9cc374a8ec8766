import { z } from 'zod';
import { Problem, problemResponse } from '@manifold/platform/openapi';

// The dead-letter, destination and endpoint APIs' own shapes are shared with the console that calls them:
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

export const DestinationParams = z.object({ name: z.string().min(1).max(63) });

export const EndpointParams = z.object({ name: z.string().min(1).max(63) });

export const DeadLetterParams = z.object({ id: z.string().min(1).max(300) });
