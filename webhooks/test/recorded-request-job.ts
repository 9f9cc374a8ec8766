import { createDeadLetterRecorder, deadLetterIdFor } from '@manifold/platform/dead-letters';
import type { DeliveryJob } from '../src/engine/queues.ts';

/**
 * The delivery job of a request another service recorded as a dead letter (its `upstreamRequest`:
 * a POST /tickets of the legacy adapter by default), as the unit tests of its replay use it.
 */
export const recordedRequestJob = (
  source = 'legacy-rest-adapter',
  url = 'http://monolith.internal/api/v2/tickets',
): DeliveryJob => ({
  source,
  eventId: 'req-1',
  eventType: 'POST /tickets',
  receivedAt: '2026-12-04T00:00:00.000Z',
  contentType: 'application/json',
  body: '{"customerId":1,"subject":"x"}',
  destination: 'legacy',
  idempotencyKey: `${source}-0001`,
  upstreamRequest: { method: 'POST', url, headers: { 'api-version': '2' } },
});

/**
 * A PlaceSupplierOrder that timed out after it was sent, recorded into the webhooks queue under
 * `prefix` as soap-proxy records it: a dead letter once a worker has run it. Its id, or throws if
 * it could not be stored.
 */
export async function recordSupplierOrder({
  redisUrl,
  prefix,
  supplierUrl,
  reference,
  cluster = false,
}: {
  redisUrl: string;
  prefix: string;
  supplierUrl: string;
  reference: string;
  /** `redisUrl` names a node of a Redis Cluster. */
  cluster?: boolean;
}): Promise<string> {
  const recorder = createDeadLetterRecorder({ redisUrl, prefix, cluster });
  const id = deadLetterIdFor('soap-proxy');
  try {
    const { stored } = await recorder.record({
      id,
      source: 'soap-proxy',
      destination: 'supplier',
      operation: 'PlaceSupplierOrder',
      request: {
        method: 'POST',
        url: supplierUrl,
        headers: { soapaction: 'PlaceSupplierOrder' },
        contentType: 'text/xml',
        body: `<PlaceSupplierOrder><reference>${reference}</reference></PlaceSupplierOrder>`,
      },
      attempt: { at: new Date(), latencyMs: 400, error: 'timed out (request sent)' },
    });
    if (!stored) throw new Error(`supplier order ${reference} was not recorded`);
  } finally {
    await recorder.close();
  }
  return id;
}
