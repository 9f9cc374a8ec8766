import { z } from 'zod';

/** RFC 9457 problem details, as every error leaves a Manifold REST service (one schema for all their OpenAPI documents). */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().meta({ description: 'Stable Manifold error code (schema/errors.md)' }),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });
