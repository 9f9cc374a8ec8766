import { createHmac, randomUUID } from 'node:crypto';

/** A Stripe-signed `invoice.paid` event (~130 bytes of body) as a sender would POST it. */
export interface SignedStripeEvent {
  body: string;
  headers: { 'content-type': string; 'stripe-signature': string };
}

/**
 * Makes distinct Stripe-signed events for `secret` (Stripe signs `<t>.<body>` with HMAC-SHA256):
 * what the webhooks benchmarks send, each a new event id.
 */
export function stripeEvents(secret: string): () => SignedStripeEvent {
  let sequence = 0;
  return () => {
    const id = `evt_${sequence++}_${randomUUID()}`;
    const body = JSON.stringify({
      id,
      object: 'event',
      type: 'invoice.paid',
      data: { object: { amount: 4200 } },
    });
    const t = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    return {
      body,
      headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${signature}` },
    };
  };
}
