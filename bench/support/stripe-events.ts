import { randomUUID } from 'node:crypto';
import { sign } from '../../webhooks/test/signers.ts';

/** A Stripe-signed `invoice.paid` event (~130 bytes of body) as a sender would POST it. */
export interface SignedStripeEvent {
  body: string;
  headers: { 'content-type': string; 'stripe-signature': string };
}

/**
 * Makes distinct Stripe-signed events for `secret`, signed as the webhooks tests sign them
 * (webhooks/test/signers.ts): what the webhooks benchmarks send, each a new event id.
 */
export function stripeEvents(secret: string): () => SignedStripeEvent {
  let sequence = 0;
  return () => {
    const { body, headers } = sign.stripe(secret, {
      id: `evt_${sequence++}_${randomUUID()}`,
      type: 'invoice.paid',
    });
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': headers['stripe-signature'] ?? '',
      },
    };
  };
}
