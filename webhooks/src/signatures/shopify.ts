import { constantTimeEqual, decodeSignature, hmac } from './compare.ts';
import { firstMatching, header, invalid, type SignatureScheme } from './verdict.ts';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, an HMAC-SHA256 of the raw body with the app's
 * secret. The id (`X-Shopify-Webhook-Id`) stays the same across Shopify's retries.
 */
export function shopifyScheme(): SignatureScheme {
  return {
    verify(request, secrets) {
      const value = header(request, 'x-shopify-hmac-sha256');
      if (value === undefined) return invalid('missing X-Shopify-Hmac-Sha256 header');
      const signature = decodeSignature(value, 'base64');
      if (signature === undefined) return invalid('X-Shopify-Hmac-Sha256 is not base64');
      const secretIndex = firstMatching(secrets, (secret) =>
        constantTimeEqual(signature, hmac('sha256', secret, request.rawBody)),
      );
      if (secretIndex === -1) return invalid('X-Shopify-Hmac-Sha256 matches no secret');
      const eventId = header(request, 'x-shopify-webhook-id');
      const eventType = header(request, 'x-shopify-topic');
      if (!eventId || !eventType) return invalid('missing X-Shopify-Webhook-Id or X-Shopify-Topic');
      return { kind: 'accepted', eventId, eventType, secretIndex };
    },
  };
}
