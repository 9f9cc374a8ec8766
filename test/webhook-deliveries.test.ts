import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWebhooksFile } from '../webhooks/src/settings/webhooks-file.ts';
import { schemeFor } from '../webhooks/src/signatures/index.ts';
import {
  deliveryRequest,
  mustAccept,
  mustRefuse,
  WEBHOOK_SOURCES,
  webhookDeliveries,
} from './fuzz/webhook-deliveries.ts';

// The webhooks fuzz edge expects an intact delivery to be accepted and a forged one refused: that
// is only worth something if its deliveries are signed as the senders sign them. Each generated
// delivery is checked here by deploy/webhooks.yaml's own schemes, without HTTP (fast): the
// signature part of what the edge expects of the service, as the schemes decide it.
const WEBHOOKS_FILE = fileURLToPath(new URL('../deploy/webhooks.yaml', import.meta.url));
const settings = loadWebhooksFile(WEBHOOKS_FILE, {}).sources;
const RUNS = 2_000;

describe('the webhooks fuzz edge signs deliveries as their senders do', () => {
  it("accepts what it calls intact and refuses what it calls forged, by the service's own schemes", () => {
    const now = Math.floor(Date.now() / 1000);
    fc.assert(
      fc.property(webhookDeliveries, (delivery) => {
        const source = settings[delivery.source];
        // Unknown sources, over-limit bodies and content encodings are refused before any scheme.
        if (
          source === undefined ||
          !Object.hasOwn(WEBHOOK_SOURCES, delivery.source) ||
          delivery.body.kind === 'huge' ||
          (delivery.contentEncoding !== undefined && delivery.contentEncoding !== 'identity')
        )
          return;
        const request = deliveryRequest(delivery, now);
        const verdict = schemeFor(source).verify(
          { headers: request.headers, rawBody: Buffer.from(request.body) },
          [WEBHOOK_SOURCES[delivery.source as keyof typeof WEBHOOK_SOURCES].secret],
          now,
        );
        if (mustAccept(delivery))
          expect(verdict).toMatchObject({ kind: 'accepted', eventType: delivery.event.type });
        if (mustRefuse(delivery)) expect(verdict.kind).not.toBe('accepted');
      }),
      { numRuns: RUNS },
    );
  });
});
