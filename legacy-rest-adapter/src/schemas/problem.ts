import { Problem, problemResponse } from '@manifold/platform/openapi';
import { z } from 'zod';

export { Problem, problemResponse };

/** How a failing monolith shows in every route's documentation. */
export const legacyFailureResponses = {
  502: problemResponse('The legacy system failed'),
  503: problemResponse('The legacy system is unavailable; see Retry-After'),
  504: problemResponse('The legacy system did not answer in time'),
};

/**
 * A write not safe to repeat, which may or may not have happened, names its dead letter; one that
 * certainly happened but could not be read back names the ticket (READ_BACK_FAILED).
 */
const WriteProblem = Problem.extend({
  deadLetterId: z.string().optional().meta({
    description:
      'Set when the write was sent and may or may not have happened: it was recorded as this webhooks dead letter for review and one replay (not retried). The same Idempotency-Key again gets this same answer.',
  }),
  ticketId: z.number().int().optional().meta({
    description:
      'READ_BACK_FAILED: the write happened — this ticket was created, or commented on — but reading it back failed. The same request with the same Idempotency-Key after Retry-After answers the result without writing again.',
  }),
  ticketUrl: z.string().optional().meta({
    description: "READ_BACK_FAILED: the ticket's URL, in the request's API version.",
  }),
}).meta({ id: 'WriteProblem' });

const writeProblemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: WriteProblem } },
});

/** How a failing monolith shows for a write not safe to repeat (a new ticket, a comment). */
export const legacyWriteFailureResponses = {
  502: writeProblemResponse('The legacy system failed (deadLetterId: it may have written)'),
  503: writeProblemResponse(
    'The legacy system is unavailable; see Retry-After (deadLetterId: it may have written). Or READ_BACK_FAILED: it wrote (ticketId), only the read-back failed — repeat with the same Idempotency-Key',
  ),
  504: writeProblemResponse(
    'The legacy system did not answer in time (deadLetterId: it may have written)',
  ),
};
