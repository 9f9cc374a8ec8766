import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { API_KEY_HEADER } from '@manifold/platform/auth';
import { Header } from '@manifold/platform/contracts';
import type { Logger } from '@manifold/platform/logging';
import type { DeliveryJob } from '../engine/queues.ts';
import type { WebhooksMetrics } from '../metrics.ts';
import type { EndpointStates } from '../outbound/endpoint-states.ts';
import type { OutboundEndpoint } from '../outbound/endpoints.ts';
import { standardWebhookHeaders } from '../outbound/signing.ts';
import type { ResolvedRequest } from '../settings/destination-requests.ts';
import type { DestinationSettings } from '../settings/webhooks-file.ts';
import type { DeadLetterAttempt } from '@manifold/platform/contracts';
import {
  DestinationTimeoutError,
  type DestinationAnswer,
  type DestinationClient,
} from './destination-client.ts';
import type { DestinationStates } from './destination-states.ts';
import { graphqlFailure } from './graphql-answer.ts';
import { ORDER_WAIT_MS, type Ordering } from './ordering.ts';
import { parseRetryAfter } from './retry-schedule.ts';
import type { ReplayTargets } from './replay-targets.ts';
import { parsedBody, TransformError } from './transform.ts';
import { deliverUpstreamRequest } from './upstream-request.ts';

/** A failure worth another attempt (network, timeout, 408, 429, 5xx), with the wait the destination asked for. */
export class TransientDeliveryError extends Error {
  override name = 'TransientDeliveryError';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** A delivery's result (the job's return value): the answer's status and, for a sent request, its successful attempt. */
export interface Delivered {
  status: number;
  attempt?: DeadLetterAttempt;
}

/**
 * Worth another attempt: 408, 429, 5xx — and a 409 that says when to come back (Retry-After):
 * an Idempotency-Key still in flight at the destination (the legacy adapter answers so while an
 * earlier attempt of the same delivery is still writing). A 409 without it is a refusal.
 */
const isTransientAnswer = (status: number, retryAfter: string | undefined) =>
  status === 408 || status === 429 || status >= 500 || (status === 409 && retryAfter !== undefined);
/**
 * Answers whose Retry-After speaks for the whole destination (rate limited, unavailable): it holds
 * every delivery to it (destination-states.ts), not only this one's retry.
 */
const HOLDING_STATUSES: ReadonlySet<number> = new Set([429, 503]);
/** How much of a GraphQL destination's answer is read to judge its `errors` (64 KiB). */
const GRAPHQL_ANSWER_BYTES = 65_536;

export interface DeliverDeps {
  destinations: Readonly<Record<string, DestinationSettings>>;
  /** Keep-alive connections to destinations and endpoints. */
  client: DestinationClient;
  /** Customers' registered endpoints: signed per Standard Webhooks, disabled when failing for long. */
  endpoints?: ReadonlyMap<string, OutboundEndpoint> | undefined;
  endpointStates?: EndpointStates | undefined;
  /** Rate limits, breakers, pauses and Retry-After holds shared by every worker (absent: none). */
  destinationStates?: Pick<DestinationStates, 'gate' | 'held' | 'succeeded' | 'failed'> | undefined;
  /** Per-key ordering (absent: nothing waits for an earlier event). */
  ordering?: Ordering | undefined;
  /** Services whose recorded requests are replayed through them (the legacy adapter). */
  replayTargets?: ReplayTargets | undefined;
  metrics: WebhooksMetrics;
  logger: Logger;
}

/**
 * One attempt of one delivery: POST the event's body, as the sender sent it, with its
 * Idempotency-Key — or, for a destination with request shaping (settings/destination-requests.ts),
 * its `method` with the body its `transform` builds (JSON) and its API key. A transform that fails
 * (or a body that is not JSON) is a dead letter at once, nothing sent: only a fixed config, then
 * a replay, can help. 2xx: done (for a GraphQL destination, unless the answer has `errors`:
 * judged by their codes, graphql-answer.ts). Network error, timeout, 408, 429, 5xx: thrown as
 * transient (BullMQ retries on the schedule, Retry-After honoured). Any other answer:
 * unrecoverable — a dead letter at once, since sending the same request again would get the same
 * answer. Every attempt is written to the job's log: the history a dead letter shows. An
 * endpoint never has request shaping: it gets the event as sent, signed.
 *
 * A registered endpoint's delivery is the same, plus: its Standard Webhooks headers (webhook-id =
 * the Idempotency-Key, signed with each active secret); while the endpoint is disabled, a dead
 * letter at once without sending (replayable once it is enabled); each outcome feeds its
 * disabling rule (a success ends the failure streak).
 *
 * Before sending, a delivery may have to wait — behind an earlier event for its ordering key, or
 * for its destination (paused, held by its Retry-After, breaker open, rate limit reached): it is
 * moved back to delayed (BullMQ's DelayedError), no attempt used, nothing logged as an attempt. A
 * transient failure feeds the destination's breaker (not a 429 with Retry-After: that holds the destination instead); a
 * success closes it.
 */
export function createDeliver({
  destinations,
  client,
  endpoints,
  endpointStates,
  destinationStates,
  ordering,
  replayTargets,
  metrics,
  logger,
}: DeliverDeps) {
  return async (job: Job<DeliveryJob>, token?: string): Promise<Delivered> => {
    const { data } = job;
    if (data.upstreamRequest)
      return deliverUpstreamRequest(job, data.upstreamRequest, metrics, replayTargets);
    const endpoint = endpoints?.get(data.destination);
    const destination = endpoint ?? destinations[data.destination];
    const shaping: Partial<ResolvedRequest> =
      (endpoint ? undefined : destinations[data.destination]) ?? {};
    const attempt = job.attemptsMade + 1;
    const last = attempt >= (job.opts.attempts ?? 1);
    const at = new Date().toISOString();
    const started = performance.now();
    /**
     * Counts the attempt and keeps it: a failed one in the job's log (the dead letter's history),
     * a success as the job's return value — stored by the same Redis write that completes the
     * job, where a log line would cost a write (and an fsync) of its own per delivery.
     */
    const record = async (
      entry: Omit<DeadLetterAttempt, 'attempt' | 'at' | 'latencyMs'>,
      retriable: boolean,
      feedsBreaker = retriable,
    ): Promise<DeadLetterAttempt> => {
      const latencyMs = Math.round(performance.now() - started);
      const kept: DeadLetterAttempt = { attempt, at, latencyMs, ...entry };
      if (entry.error !== undefined) await job.log(JSON.stringify(kept));
      const outcome =
        entry.error === undefined ? 'delivered' : retriable && !last ? 'retrying' : 'dead-lettered';
      metrics.attempted(data.destination, outcome, latencyMs / 1000);
      if (outcome !== 'retrying' && data.orderKey !== undefined)
        await ordering?.leave(data.destination, data.orderKey, data.idempotencyKey);
      if (entry.error === undefined) await destinationStates?.succeeded(data.destination);
      else if (feedsBreaker) await destinationStates?.failed(data.destination);
      if (endpoint && endpointStates)
        await (entry.error === undefined
          ? endpointStates.succeeded(data.destination)
          : endpointStates.failed(data.destination, { deadLettered: outcome === 'dead-lettered' }));
      return kept;
    };
    if (!destination) {
      await record({ error: `destination ${data.destination} is no longer configured` }, false);
      throw new UnrecoverableError(`destination ${data.destination} is no longer configured`);
    }
    const disabled = endpoint && (await endpointStates?.disabled(data.destination));
    if (disabled) {
      const message = `endpoint disabled since ${disabled.disabledAt ?? '?'} (${disabled.reason ?? 'failing'}): enable it, then replay`;
      await job.log(
        JSON.stringify({ attempt, at, latencyMs: 0, error: message } satisfies DeadLetterAttempt),
      );
      metrics.attempted(data.destination, 'dead-lettered', 0);
      throw new UnrecoverableError(message);
    }
    let body = data.body;
    if (shaping.transform)
      try {
        body = await shaping.transform.apply({
          event: {
            source: data.source,
            id: data.eventId,
            type: data.eventType,
            receivedAt: data.receivedAt,
            idempotencyKey: data.idempotencyKey,
          },
          body: parsedBody(data.body),
        });
      } catch (error) {
        if (!(error instanceof TransformError)) throw error;
        await record({ error: error.message }, false);
        logger.info(
          { destination: data.destination, job: job.id, error: error.message },
          'delivery not shaped by its transform: dead letter',
        );
        throw new UnrecoverableError(error.message);
      }
    /** Back to delayed for `ms`: not an attempt (BullMQ does not count a DelayedError). */
    const waitFor = async (ms: number): Promise<never> => {
      await job.moveToDelayed(Date.now() + Math.ceil(ms), token);
      throw new DelayedError();
    };
    if (
      data.orderKey !== undefined &&
      ordering &&
      !(await ordering.isFirst(data.destination, data.orderKey, data.idempotencyKey))
    )
      await waitFor(ORDER_WAIT_MS);
    const gate = await destinationStates?.gate(data.destination);
    if (gate && !gate.go) await waitFor(gate.waitMs);
    let answer: DestinationAnswer;
    try {
      const shaped = shaping.transform !== undefined;
      answer = await client.post(destination.url, {
        ...(shaping.method && { method: shaping.method }),
        ...(shaping.graphql && { keepBytes: GRAPHQL_ANSWER_BYTES }),
        headers: {
          ...(endpoint &&
            standardWebhookHeaders(
              data.idempotencyKey,
              data.body,
              endpoint.secrets.map((secret) => secret.value()),
              new Date(),
            )),
          'content-type': shaped ? 'application/json' : data.contentType,
          ...(shaping.apiKey && { [API_KEY_HEADER]: shaping.apiKey.value() }),
          'idempotency-key': data.idempotencyKey,
          'x-manifold-event-id': data.eventId,
          'x-manifold-event-type': data.eventType,
          'x-manifold-source': data.source,
          [Header.requestId]: data.idempotencyKey.slice(0, 255),
        },
        body,
        timeoutMs: destination.timeoutMs,
      });
    } catch (error) {
      const message =
        error instanceof DestinationTimeoutError
          ? error.message
          : `network error: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`;
      await record({ error: message }, true);
      throw new TransientDeliveryError(message);
    }
    const { status, excerpt: text } = answer;
    const failed =
      status >= 200 && status < 300 && shaping.graphql
        ? graphqlFailure(answer.text ?? text)
        : undefined;
    if (status >= 200 && status < 300 && !failed)
      return { status, attempt: await record({ status, response: text }, false) };
    const error = failed ? failed.message : `HTTP ${status}`;
    const transient = failed ? failed.transient : isTransientAnswer(status, answer.retryAfter);
    const retryAfterMs = failed ? undefined : parseRetryAfter(answer.retryAfter ?? null);
    const holds = retryAfterMs !== undefined && retryAfterMs > 0 && HOLDING_STATUSES.has(status);
    // A 429 that says when is the destination's pace, not a failure: its hold is the answer, and
    // its breaker is not fed (a healthy destination under its limit is not to be paused).
    await record(
      { status, error, response: text },
      transient,
      transient && !(holds && status === 429),
    );
    if (!transient) {
      logger.info(
        { destination: data.destination, status, job: job.id },
        'delivery refused by its destination: dead letter',
      );
      throw new UnrecoverableError(error);
    }
    if (holds)
      // Not shared if Redis fails here: this delivery still waits its Retry-After (below).
      await destinationStates?.held(data.destination, retryAfterMs).catch((holdError: unknown) => {
        logger.warn(
          { destination: data.destination, err: holdError },
          'destination hold not recorded: the other deliveries to it are not held',
        );
      });
    throw new TransientDeliveryError(error, retryAfterMs);
  };
}
