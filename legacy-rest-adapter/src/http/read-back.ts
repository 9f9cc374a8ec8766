import { AppError, isAppError } from '@manifold/platform/errors';

/** When to try again if the failed read said nothing better (a breaker's Retry-After does). */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

export interface ReadBackFailure {
  /** What was written, for the caller: "Ticket 42 was created", "A comment was added to ticket 3". */
  wrote: string;
  /** The ticket the write created or changed. */
  ticketId: number;
  /** Its URL in the request's API version. */
  ticketUrl: string;
  /** Whether the request carried an Idempotency-Key (without one, repeating it writes again). */
  keyed: boolean;
}

/**
 * The answer when a write certainly happened (the monolith redirected to the ticket) but reading
 * the result back failed (timeout, 5xx, expired session, an answer we cannot parse).
 *
 * Why a problem of its own (503 READ_BACK_FAILED) rather than the read's own 502/503/504, and not
 * a 201: a demanding client must be able to tell, by code alone, "it happened" from "it failed" —
 * a client that gives up on an upstream error would tell its user the ticket was not created, and
 * one that retries with a new key would create a second. A 201 would need the ticket's body, which
 * we do not have. So the problem says what was written and where it is (`ticketId`, `ticketUrl`),
 * and a Retry-After: the same request with the same Idempotency-Key then answers the 201 (the
 * write is not repeated, only the read), as the original call would have.
 */
export function readBackFailed(
  cause: unknown,
  { wrote, ticketId, ticketUrl, keyed }: ReadBackFailure,
): AppError {
  const retryAfter = isAppError(cause) ? cause.details?.['retryAfterSeconds'] : undefined;
  const retry = keyed
    ? 'repeat the request with the same Idempotency-Key after Retry-After to get the result (it is not written again)'
    : 'do not repeat the request (without an Idempotency-Key it would be written again)';
  return new AppError(
    'READ_BACK_FAILED',
    `${wrote}, but reading it back from the legacy system failed: ${retry}, or GET ${ticketUrl}`,
    {
      cause,
      details: {
        ticketId,
        ticketUrl,
        retryAfterSeconds:
          typeof retryAfter === 'number' ? retryAfter : DEFAULT_RETRY_AFTER_SECONDS,
      },
    },
  );
}

/**
 * The answer when the monolith accepted a new ticket (its form redirected) but its redirect did
 * not say which ticket it created, so there is nothing to read back. 502 UPSTREAM_ERROR — the
 * legacy system's answer is the fault — with a message that says it was written: repeating the
 * request with the same Idempotency-Key answers this again and writes nothing (the key's record
 * keeps "written, ticket unknown"); without a key it would create another.
 */
export function unnamedTicket(customerId: number, keyed: boolean): AppError {
  const repeat = keyed
    ? 'repeating it with the same Idempotency-Key writes nothing and answers this again'
    : 'do not repeat it (it would create another)';
  return new AppError(
    'UPSTREAM_ERROR',
    `The legacy system created the ticket but did not say which one: ${repeat}; find it with GET /tickets?customerId=${String(customerId)}`,
    { details: { customerId } },
  );
}
