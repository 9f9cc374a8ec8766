import { z } from 'zod';

/** RFC 9457 problem details, as every error leaves the adapter. */
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

export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

/** How a failing monolith shows in every route's documentation. */
export const legacyFailureResponses = {
  502: problemResponse('The legacy system failed'),
  503: problemResponse('The legacy system is unavailable; see Retry-After'),
  504: problemResponse('The legacy system did not answer in time'),
};
