import { UnrecoverableError, type Job } from 'bullmq';
import { TOKEN_ENDPOINT } from '@manifold/platform/auth';
import { UpstreamError } from '@manifold/platform/errors';
import type { DeliveryJob } from '../engine/queues.ts';
import type { WebhooksMetrics } from '../metrics.ts';
import { ATTEMPT_RESPONSE_CHARS, type DeadLetterAttempt } from '@manifold/platform/contracts';
import { replayRequest, type ReplayTargets } from './replay-targets.ts';

/** How long a replayed upstream request may take: as long as the slowest adapter's policy allows. */
export const UPSTREAM_REPLAY_TIMEOUT_MS = 30_000;

/**
 * A request another service sent to its upstream that may or may not have acted (recorded by
 * @manifold/platform/dead-letters). Not replayed yet: it becomes a dead letter at once, nothing
 * sent — its recorded attempt is already in its log. Replayed (dead-letters.ts sets `replayedAt`,
 * and refuses a second replay): sent exactly as recorded, once; whatever the answer, never retried —
 * a failure is a dead letter again, its attempt appended to the history. A request of a service
 * in `targets` (the legacy adapter) is sent through that service instead (replay-targets.ts);
 * when it cannot be sent at all (no credential, no token), the dead letter stays replayable.
 *
 * A worker that dies while a replay is out leaves its job to be run again (BullMQ's stalled-job
 * check). Through a target that is safe: the service honours the Idempotency-Key sent with it.
 * Straight to the upstream (a supplier's PlaceSupplierOrder) it is not: nothing there knows the
 * request came before. So such a replay is marked, durably, before it goes out, and a run that
 * finds the mark sends nothing: a dead letter again, its history saying the replay may have
 * reached the upstream — to be checked there, as a second replay is refused.
 */
export async function deliverUpstreamRequest(
  job: Job<DeliveryJob>,
  upstream: NonNullable<DeliveryJob['upstreamRequest']>,
  metrics: WebhooksMetrics,
  targets: ReplayTargets = {},
): Promise<{ status: number }> {
  const { data } = job;
  if (data.replayedAt === undefined)
    throw new UnrecoverableError(data.recordedError ?? 'recorded for manual review');
  // The recorded attempt is the first; a replay, sent once, is the second.
  const attempt = 2;
  const at = new Date().toISOString();
  const started = performance.now();
  const record = async (entry: Omit<DeadLetterAttempt, 'attempt' | 'at' | 'latencyMs'>) => {
    const latencyMs = Math.round(performance.now() - started);
    await job.log(JSON.stringify({ attempt, at, latencyMs, ...entry } satisfies DeadLetterAttempt));
    metrics.attempted(
      data.destination,
      entry.error ? 'dead-lettered' : 'delivered',
      latencyMs / 1000,
    );
  };
  const notSent = async (error: string): Promise<never> => {
    await job.log(JSON.stringify({ attempt, at, latencyMs: 0, error } satisfies DeadLetterAttempt));
    // Nothing went out: the one replay is not used up.
    const { replayedAt: _replayedAt, ...unreplayed } = data;
    await job.updateData(unreplayed);
    throw new UnrecoverableError(error);
  };
  if (data.replaySentAt !== undefined) {
    const error = `replay interrupted: sent at ${data.replaySentAt}, its answer never read; check ${data.destination} for its effect`;
    await record({ error });
    throw new UnrecoverableError(error);
  }
  const request = replayRequest(data, upstream, targets);
  if ('notSent' in request) return notSent(request.notSent);
  // Straight to the upstream, which cannot tell a resend: marked before it goes out.
  if (targets[data.source] === undefined) await job.updateData({ ...data, replaySentAt: at });
  const { bearer } = request;
  if (bearer) {
    // The token first: without one (the identity provider down or refusing) nothing is sent.
    try {
      await bearer.token();
    } catch (error) {
      return notSent(`not sent: no token for ${data.source}: ${(error as Error).message}`);
    }
  }
  // With a bearer, a 401 (a token revoked or rotated away) gets one renewal and one resend: the
  // adapter refused it at its front door, before any write, and the Idempotency-Key holds anyway.
  const send = (url: string, init: RequestInit) =>
    bearer ? bearer.fetch(url, init) : fetch(url, init);
  let response: Response;
  try {
    response = await send(request.url, {
      method: upstream.method,
      headers: request.headers,
      body: data.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(UPSTREAM_REPLAY_TIMEOUT_MS),
    });
  } catch (error) {
    // The renewal after a 401 failed: the adapter refused the request at its front door and
    // nothing was written — the dead letter stays replayable, as when no token came at all.
    if (bearer && error instanceof UpstreamError && error.upstream === TOKEN_ENDPOINT)
      return notSent(`not sent: no token for ${data.source}: ${error.message}`);
    const message =
      (error as Error).name === 'TimeoutError'
        ? `timed out after ${UPSTREAM_REPLAY_TIMEOUT_MS} ms`
        : `network error: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`;
    await record({ error: message });
    throw new UnrecoverableError(message);
  }
  const text = (await response.text().catch(() => '')).slice(0, ATTEMPT_RESPONSE_CHARS);
  // A redirect is how the legacy monolith says a form was accepted.
  if (response.status < 400) {
    await record({ status: response.status, response: text });
    return { status: response.status };
  }
  const error = `HTTP ${response.status}`;
  await record({ status: response.status, error, response: text });
  throw new UnrecoverableError(error);
}
