import { constantTimeEqual, decodeSignature, hmac } from './compare.ts';
import {
  firstMatching,
  header,
  invalid,
  isFresh,
  jsonFields,
  type SignatureScheme,
} from './verdict.ts';

/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each v1 an HMAC-SHA256 of
 * `<t>.<raw body>` with the endpoint secret (`whsec_…`, used as it is). Stripe sends several v1
 * while its own secret rolls; any match counts. The event's id and type are in the body.
 */
export function stripeScheme({ toleranceSeconds }: { toleranceSeconds: number }): SignatureScheme {
  return {
    verify(request, secrets, nowSeconds) {
      const value = header(request, 'stripe-signature');
      if (value === undefined) return invalid('missing Stripe-Signature header');
      let timestamp: string | undefined;
      const signatures: Buffer[] = [];
      for (const part of value.split(',')) {
        const [key, item] = part.trim().split('=', 2);
        if (key === 't') timestamp = item;
        if (key === 'v1' && item !== undefined) {
          const decoded = decodeSignature(item, 'hex');
          if (decoded) signatures.push(decoded);
        }
      }
      if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp))
        return invalid('Stripe-Signature has no timestamp');
      if (signatures.length === 0) return invalid('Stripe-Signature has no v1 signature');
      const signed = Buffer.concat([Buffer.from(`${timestamp}.`), request.rawBody]);
      const secretIndex = firstMatching(secrets, (secret) => {
        const expected = hmac('sha256', secret, signed);
        return signatures.some((signature) => constantTimeEqual(signature, expected));
      });
      if (secretIndex === -1) return invalid('no Stripe-Signature v1 matches a secret');
      // Checked after the signature: an unsigned request learns nothing about our clock.
      if (!isFresh(Number(timestamp), nowSeconds, toleranceSeconds))
        return { kind: 'stale', reason: `timestamp outside ${toleranceSeconds} s` };
      const { id: eventId, type: eventType } = jsonFields(request.rawBody, 'id', 'type');
      if (eventId === undefined || eventType === undefined)
        return invalid('signed body has no event id or type');
      return { kind: 'accepted', eventId, eventType, secretIndex };
    },
  };
}
