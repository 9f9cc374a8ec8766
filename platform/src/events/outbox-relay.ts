import { setTimeout as sleep } from 'node:timers/promises';
import type { Secret } from '../auth/index.ts';
import type { SqliteDatabase } from '../data/index.ts';
import type { Logger } from '../logging/index.ts';
import { Webhook } from 'standardwebhooks';

export interface OutboxRelayOptions {
  /** A database with the outbox table (OUTBOX_TABLE_SQL). */
  db: SqliteDatabase;
  /** The webhooks service's internal source, e.g. `http://127.0.0.1:4300/hooks/manifold`. */
  url: string;
  /** The `whsec_` secret that source verifies (Standard Webhooks). */
  secret: Secret;
  logger: Logger;
  /** Wait between polls while the outbox is empty. @default 250 */
  idleMs?: number;
  /** First wait after a failed try; it doubles with each failure in a row. @default 500 */
  minBackoffMs?: number;
  /** Longest wait between tries while the webhooks service fails. @default 30_000 */
  maxBackoffMs?: number;
  /** Per request. @default 10_000 */
  timeoutMs?: number;
  /** How long sent rows are kept before they are pruned. @default 7 days */
  keepSentMs?: number;
}

export interface OutboxRelay {
  /** Stops after the request in flight; what is unsent stays in the outbox for the next start. */
  close: () => Promise<void>;
}

interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  payload: string;
}

const BATCH = 100;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Drains a service's outbox (outbox.ts) into the webhooks service, oldest first, one event at a
 * time (an order's `order.created` reaches it before its `order.status_changed`, a product's
 * stock changes arrive in the order they were seen): a signed POST (Standard
 * Webhooks; `webhook-id` = the event's id, so a resend after a lost answer is a duplicate there,
 * answered 200) → 2xx → marked sent. The webhooks service down, slow or failing (network, 408,
 * 429, 5xx, and 401/403/404 — a misconfiguration an operator fixes): the row stays and the relay
 * retries with a doubling pause; the service goes on working meanwhile, its events wait here.
 * Any other 4xx is this one event's problem (it would never be accepted): marked rejected with
 * the answer, logged as an error, and the relay moves on rather than block every later event.
 */
export function startOutboxRelay({
  db,
  url,
  secret,
  logger,
  idleMs = 250,
  minBackoffMs = 500,
  maxBackoffMs = 30_000,
  timeoutMs = 10_000,
  keepSentMs = 7 * 24 * 3_600_000,
}: OutboxRelayOptions): OutboxRelay {
  const stop = new AbortController();
  let lastPrune = 0;

  /** One event to the webhooks service: 'sent', 'rejected' (never acceptable), or 'retry'. */
  async function send(row: OutboxRow): Promise<'sent' | 'rejected' | 'retry'> {
    const now = new Date();
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': row.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(secret.value()).sign(row.id, now, row.payload),
        },
        body: row.payload,
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.body?.cancel();
    } catch (error) {
      if (!stop.signal.aborted)
        logger.warn(
          { err: error, event: row.id },
          'webhooks service unreachable: events wait in the outbox',
        );
      return 'retry';
    }
    if (response.ok) return 'sent';
    const status = response.status;
    if (status === 408 || status === 429 || status >= 500 || [401, 403, 404].includes(status)) {
      logger.warn(
        { status, event: row.id },
        'webhooks service refused an event for now: events wait in the outbox',
      );
      return 'retry';
    }
    db.run('UPDATE event_outbox SET rejected = ? WHERE seq = ?', `HTTP ${status}`, row.seq);
    logger.error(
      { status, event: row.id, type: row.type },
      'webhooks service rejected an event: not sent (kept in the outbox, marked rejected)',
    );
    return 'rejected';
  }

  /** Sends what is unsent, up to a batch: how many rows it went through, and whether to pause. */
  async function drain(): Promise<{ processed: number; failed: boolean }> {
    const rows = db.all<OutboxRow>(
      'SELECT seq, id, type, payload FROM event_outbox WHERE sent_at IS NULL AND rejected IS NULL ORDER BY seq LIMIT ?',
      BATCH,
    );
    for (const row of rows) {
      if (stop.signal.aborted) break;
      const outcome = await send(row);
      if (outcome === 'retry') return { processed: 0, failed: true };
      if (outcome === 'sent')
        db.run(
          'UPDATE event_outbox SET sent_at = ? WHERE seq = ?',
          new Date().toISOString(),
          row.seq,
        );
    }
    return { processed: rows.length, failed: false };
  }

  const running = (async () => {
    let backoffMs = 0;
    while (!stop.signal.aborted) {
      let pause: number;
      try {
        const { processed, failed } = await drain();
        backoffMs = failed ? Math.min(maxBackoffMs, Math.max(minBackoffMs, backoffMs * 2)) : 0;
        pause = failed ? backoffMs : processed > 0 ? 0 : idleMs;
        if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
          lastPrune = Date.now();
          db.run(
            'DELETE FROM event_outbox WHERE sent_at < ?',
            new Date(Date.now() - keepSentMs).toISOString(),
          );
        }
      } catch (error) {
        // The database itself failing (locked past its busy timeout): try again shortly.
        logger.error({ err: error }, 'outbox relay failed; retrying');
        pause = Math.min(maxBackoffMs, 1_000);
      }
      if (pause > 0) await sleep(pause, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  })();

  return {
    close: async () => {
      stop.abort();
      await running;
    },
  };
}
