import { constantTimeEqual, decodeSignature, hmac } from './compare.ts';
import { firstMatching, header, invalid, type SignatureScheme } from './verdict.ts';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, an HMAC-SHA256 of the raw body. GitHub signs no
 * timestamp: a replay is caught by its delivery id (`X-GitHub-Delivery`), which a redelivery keeps.
 */
export function githubScheme(): SignatureScheme {
  return {
    verify(request, secrets) {
      const value = header(request, 'x-hub-signature-256');
      if (value === undefined) return invalid('missing X-Hub-Signature-256 header');
      const signature = value.startsWith('sha256=')
        ? decodeSignature(value.slice('sha256='.length), 'hex')
        : undefined;
      if (signature === undefined) return invalid('X-Hub-Signature-256 is not sha256=<hex>');
      const secretIndex = firstMatching(secrets, (secret) =>
        constantTimeEqual(signature, hmac('sha256', secret, request.rawBody)),
      );
      if (secretIndex === -1) return invalid('X-Hub-Signature-256 matches no secret');
      const eventId = header(request, 'x-github-delivery');
      const eventType = header(request, 'x-github-event');
      if (!eventId || !eventType) return invalid('missing X-GitHub-Delivery or X-GitHub-Event');
      return { kind: 'accepted', eventId, eventType, secretIndex };
    },
  };
}
