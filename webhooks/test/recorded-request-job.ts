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
