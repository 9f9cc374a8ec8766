import { Webhook } from 'standardwebhooks';
import { constantTimeEqual } from './compare.ts';
import {
  firstMatching,
  header,
  invalid,
  isFresh,
  jsonField,
  type SignatureScheme,
} from './verdict.ts';

/**
 * Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`,
 * secrets `whsec_<base64>`), signed by the specification's own library. Its `verify` also checks
 * the timestamp (a fixed 5 minutes) and cannot tell a stale request from a forged one, so the
 * expected signature comes from its `sign` and is compared here, with the tolerance ours.
 */
export function standardWebhooksScheme({
  toleranceSeconds,
}: {
  toleranceSeconds: number;
}): SignatureScheme {
  return {
    verify(request, secrets, nowSeconds) {
      const id = header(request, 'webhook-id');
      const timestamp = header(request, 'webhook-timestamp');
      const signatureHeader = header(request, 'webhook-signature');
      if (!id || !timestamp || !signatureHeader)
        return invalid('missing webhook-id, webhook-timestamp or webhook-signature');
      if (!/^\d{1,12}$/.test(timestamp)) return invalid('webhook-timestamp is not a number');
      const sent = signatureHeader
        .split(' ')
        .filter((entry) => entry.startsWith('v1,'))
        .map((entry) => Buffer.from(entry));
      if (sent.length === 0) return invalid('webhook-signature has no v1 signature');
      const payload = request.rawBody.toString('utf8');
      const secretIndex = firstMatching(secrets, (secret) => {
        const expected = Buffer.from(
          new Webhook(secret).sign(id, new Date(Number(timestamp) * 1000), payload),
        );
        return sent.some((signature) => constantTimeEqual(signature, expected));
      });
      if (secretIndex === -1) return invalid('webhook-signature matches no secret');
      if (!isFresh(Number(timestamp), nowSeconds, toleranceSeconds))
        return { kind: 'stale', reason: `timestamp outside ${toleranceSeconds} s` };
      const eventType = jsonField(request.rawBody, 'type');
      if (eventType === undefined) return invalid('signed body has no type');
      return { kind: 'accepted', eventId: id, eventType, secretIndex };
    },
  };
}
