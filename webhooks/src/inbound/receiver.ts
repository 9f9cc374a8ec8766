import { AppError } from '@manifold/platform/errors';
import type { Secret } from '@manifold/platform/auth';
import type { Logger } from '@manifold/platform/logging';
import type { FanOut, FanOutOutcome } from '../delivery/fan-out.ts';
import { bodyOnlyHash, contentHash, eventKey } from '../engine/ids.ts';
import type { WebhooksMetrics } from '../metrics.ts';
import type { SignatureScheme, SignedRequest } from '../signatures/index.ts';

/** A configured source: its scheme and its active secrets (several during a rotation). */
export interface InboundSource {
  scheme: SignatureScheme;
  secrets: readonly Secret[];
}

export interface ReceiverDeps {
  sources: ReadonlyMap<string, InboundSource>;
  /** Stores an accepted event's deliveries and its receipt (the duplicate window's memory). */
  fanOut: FanOut;
  metrics: WebhooksMetrics;
  logger: Logger;
  nowSeconds?: () => number;
}

export type Receipt =
  | { status: 202; body: { status: 'accepted'; eventId: string; eventType: string } }
  | { status: 200; body: { status: 'duplicate'; eventId: string; eventType: string } };

/**
 * One inbound request: signature on the raw body (every active secret) → timestamp tolerance →
 * the event's deliveries and its receipt persisted, keyed by the sender's id → 202; a sender's
 * retry of an event already persisted → 200, nothing done twice; the same id with another body
 * or type → 409.
 */
export function createReceiver({
  sources,
  fanOut,
  metrics,
  logger,
  nowSeconds = () => Math.floor(Date.now() / 1000),
}: ReceiverDeps) {
  return async (sourceName: string, request: SignedRequest): Promise<Receipt> => {
    const source = sources.get(sourceName);
    if (!source) throw new AppError('NOT_FOUND', `No webhook source ${sourceName}`);
    const verdict = source.scheme.verify(
      request,
      source.secrets.map((secret) => secret.value()),
      nowSeconds(),
    );
    switch (verdict.kind) {
      case 'invalid-signature':
        metrics.received(sourceName, 'refused');
        logger.info({ source: sourceName, reason: verdict.reason }, 'webhook signature refused');
        throw new AppError('WEBHOOK_SIGNATURE_INVALID', verdict.reason);
      case 'stale':
        metrics.received(sourceName, 'refused');
        logger.info({ source: sourceName, reason: verdict.reason }, 'webhook timestamp refused');
        throw new AppError('WEBHOOK_TIMESTAMP_STALE', verdict.reason);
      case 'accepted':
        break;
    }
    const { eventId, eventType } = verdict;
    const key = eventKey(sourceName, eventId);
    const answer = { eventId, eventType };
    let outcome: FanOutOutcome;
    try {
      const contentType = request.headers['content-type'];
      // The receipt and the deliveries (fan-out.ts); Redis answers their writes once they are in
      // its AOF: the durable write the 202 stands for. A receipt already kept (a retry) stays as
      // it was, and so does every job: nothing is added twice.
      outcome = await fanOut(
        key,
        {
          source: sourceName,
          eventId,
          eventType,
          receivedAt: new Date().toISOString(),
          contentType: typeof contentType === 'string' ? contentType : 'application/json',
          body: request.rawBody.toString('utf8'),
        },
        {
          content: contentHash(eventType, request.rawBody),
          bodyOnly: () => bodyOnlyHash(request.rawBody),
        },
      );
    } catch (error) {
      // Nothing acknowledged: the sender retries, and the retry is then new, or a duplicate that
      // adds whatever deliveries this request did not (fan-out.ts).
      metrics.received(sourceName, 'unavailable');
      throw new AppError('STORE_UNAVAILABLE', 'The event could not be stored; retry later', {
        cause: error,
        details: { retryAfterSeconds: 5 },
      });
    }
    if (outcome === 'id-reused') {
      metrics.received(sourceName, 'id-reused');
      throw new AppError(
        'WEBHOOK_ID_REUSED',
        `Event ${eventId} was already received with another body or type`,
      );
    }
    if (outcome === 'duplicate') {
      metrics.received(sourceName, 'duplicate');
      return { status: 200, body: { status: 'duplicate', ...answer } };
    }
    metrics.received(sourceName, 'accepted');
    return { status: 202, body: { status: 'accepted', ...answer } };
  };
}
export type Receiver = ReturnType<typeof createReceiver>;
