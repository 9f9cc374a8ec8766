// How each sender signs a request, written from the senders' documentation (and, for Standard
// Webhooks, with its official library) — independent of the code under test.
import { createHash, createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface SignedDelivery {
  headers: Record<string, string>;
  body: string;
}

const hex = (secret: string, content: string) =>
  createHmac('sha256', secret).update(content).digest('hex');
const base64 = (secret: string, content: string) =>
  createHmac('sha256', secret).update(content).digest('base64');
const nowSeconds = () => Math.floor(Date.now() / 1000);

export const sign = {
  /** A Stripe event; `object` is its `data.object` (an invoice, say). */
  stripe(
    secret: string,
    event: { id: string; type: string; object?: Record<string, unknown> },
    timestamp = nowSeconds(),
  ): SignedDelivery {
    const body = JSON.stringify({
      id: event.id,
      object: 'event',
      type: event.type,
      data: { object: event.object ?? { amount: 4200 } },
    });
    return {
      body,
      headers: { 'stripe-signature': `t=${timestamp},v1=${hex(secret, `${timestamp}.${body}`)}` },
    };
  },
  github(secret: string, event: { id: string; type: string }): SignedDelivery {
    const body = JSON.stringify({ action: 'opened', number: 7 });
    return {
      body,
      headers: {
        'x-hub-signature-256': `sha256=${hex(secret, body)}`,
        'x-github-delivery': event.id,
        'x-github-event': event.type,
      },
    };
  },
  /** A Shopify webhook; `resource` is its body (an order, say). */
  shopify(
    secret: string,
    event: { id: string; type: string; resource?: Record<string, unknown> },
  ): SignedDelivery {
    const body = JSON.stringify(event.resource ?? { id: 820982911946154500, total_price: '42.00' });
    return {
      body,
      headers: {
        'x-shopify-hmac-sha256': base64(secret, body),
        'x-shopify-webhook-id': event.id,
        'x-shopify-topic': event.type,
      },
    };
  },
  standard(
    secret: string,
    event: { id: string; type: string },
    timestamp = nowSeconds(),
  ): SignedDelivery {
    const body = JSON.stringify({ type: event.type, data: { id: 'ord_1' } });
    return {
      body,
      headers: {
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': new Webhook(secret).sign(event.id, new Date(timestamp * 1000), body),
      },
    };
  },
  hmac(
    secret: string,
    event: { id: string; type: string },
    timestamp = nowSeconds(),
  ): SignedDelivery {
    const body = JSON.stringify({ type: event.type, id: event.id });
    return {
      body,
      headers: {
        'x-signature': `sha256=${hex(secret, `${timestamp}.${body}`)}`,
        'x-timestamp': String(timestamp),
        'x-webhook-id': event.id,
      },
    };
  },
  /**
   * The generic HMAC as a sender with no timestamp and no id header signs: SHA-512 of the body
   * alone, base64, in a header of its own. Its event id is the body's SHA-256 (`bodyEventId`).
   */
  'hmac-body'(secret: string, event: { id: string; type: string }): SignedDelivery {
    const body = JSON.stringify({ type: event.type, ref: event.id });
    return {
      body,
      headers: {
        'x-body-signature': createHmac('sha512', secret).update(body).digest('base64'),
      },
    };
  },
} as const;

/** The id of an event whose sender names none: the SHA-256 of its body, in hex. */
export const bodyEventId = (body: string) => createHash('sha256').update(body).digest('hex');

export type SchemeName = keyof typeof sign;

/** A Standard Webhooks secret: `whsec_` + base64 of random bytes. */
export const standardSecret = (seed: string) =>
  `whsec_${Buffer.from(seed.padEnd(32, '.')).toString('base64')}`;
