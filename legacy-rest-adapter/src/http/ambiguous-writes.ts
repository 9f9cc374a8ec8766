import { callerOf, Header } from '@manifold/platform/contracts';
import {
  deadLetterIdFor,
  withDeadLetterId,
  withoutSecrets,
  type DeadLetterRecorder,
} from '@manifold/platform/dead-letters';
import type { Logger } from '@manifold/platform/logging';
import { activeTraceId } from '@manifold/platform/telemetry';
import type { Request, Response } from 'express';
import type { WriteWatch } from '../clients/legacy-forms.ts';

/** A dead letter's `source`, and the prefix of its id. */
export const DEAD_LETTER_SOURCE = 'legacy-rest-adapter';
/** A dead letter's `destination`: the monolith, by the name the adapter's policy gives it. */
const DESTINATION = 'legacy';

/**
 * The request headers a replay needs to be the same request (its version, its body's type).
 * Named, not filtered: the caller's credentials, cookies and anything else are never kept — a
 * replay brings the webhooks service's own credential.
 */
const REPLAYED_HEADERS = ['content-type', Header.apiVersion] as const;

export interface AmbiguousWritesOptions {
  /** Writes into the webhooks Redis (`unconfigured`: records are only logged). */
  recorder: DeadLetterRecorder;
  logger: Logger;
}

/**
 * Runs one non-idempotent write (a new ticket, a comment) so that, when the monolith may or may
 * not have acted — the form was posted, then a timeout, a reset, a 5xx, a page we do not know —
 * the write is not retried blindly but recorded as a webhooks dead letter, for a person to check
 * and replay once. What is recorded is the adapter's own REST request (method, URL, JSON body,
 * the headers above), not the monolith's form post: a replay goes through the adapter, which logs
 * in and fetches a CSRF token afresh, and sends the dead letter's id as its Idempotency-Key. The
 * caller's problem carries `deadLetterId`. A write refused, or never sent, is not recorded.
 */
export function createAmbiguousWrites({ recorder, logger }: AmbiguousWritesOptions) {
  return async function recordingAmbiguity<T>(
    req: Request,
    res: Response,
    operation: string,
    write: (watch: WriteWatch) => Promise<T>,
  ): Promise<T> {
    // Chosen before sending: the policy's timeout may fail the call before the record is written,
    // and the caller's problem must still carry its id.
    const id = deadLetterIdFor(DEAD_LETTER_SOURCE);
    let deadLetterId: string | undefined;
    let at = new Date();
    let started = performance.now();
    const watch: WriteWatch = {
      sending: () => {
        deadLetterId = id;
        at = new Date();
        started = performance.now();
      },
      refused: () => {
        deadLetterId = undefined;
      },
      ambiguous: async (failure) => {
        deadLetterId = id;
        const caller = callerOf(req);
        const { stored } = await recorder.record({
          id,
          source: DEAD_LETTER_SOURCE,
          destination: DESTINATION,
          operation,
          request: {
            method: req.method,
            url: `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`,
            headers: replayedHeaders(req),
            contentType: 'application/json',
            body: JSON.stringify(req.body),
          },
          requestId: res.locals['requestId'],
          traceId: activeTraceId(),
          caller:
            caller.subject === undefined
              ? caller.clientId
              : `${caller.clientId} for ${caller.subject}`,
          attempt: { at, latencyMs: Math.round(performance.now() - started), ...failure },
        });
        if (!stored)
          logger.error(
            { deadLetterId: id, operation, recorder: recorder.state, error: failure.error },
            'non-idempotent legacy write failed ambiguously and its dead letter could not be stored: check the monolith by hand',
          );
      },
    };
    try {
      return await write(watch);
    } catch (error) {
      throw deadLetterId === undefined ? error : withDeadLetterId(error, deadLetterId, 'legacy');
    }
  };
}

export type AmbiguousWrites = ReturnType<typeof createAmbiguousWrites>;

function replayedHeaders(req: Request): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return withoutSecrets(kept);
}
