import { Webhook } from 'standardwebhooks';

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` (the delivery's Idempotency-Key,
 * the same on every retry and replay), `webhook-timestamp` (this attempt's, so a subscriber's
 * tolerance check holds for a retry hours later) and `webhook-signature` with one `v1,<base64>`
 * per active secret — during a rotation both, so a subscriber holding either verifies. Signed by
 * the specification's own library.
 */
export function standardWebhookHeaders(
  id: string,
  body: string,
  secrets: readonly string[],
  now: Date,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, now, body)).join(' '),
  };
}
