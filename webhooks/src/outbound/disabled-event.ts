import type { FanOut } from '../delivery/fan-out.ts';
import { bodyOnlyHash, contentHash, eventKey } from '../engine/ids.ts';
import type { EndpointState } from './endpoint-states.ts';

/**
 * Records an endpoint's disabling as an event of its own source, `endpoint.disabled`, in the
 * Standard Webhooks payload shape: it is kept like any event and routed like one, so an endpoint
 * subscribed to `endpoint.*` (a customer's operations channel) is told — except the endpoint
 * disabled, which would only hold it as a dead letter, replayed to it with the rest once it is
 * enabled: news of its own disabling, too late. Its id is the endpoint and the time of disabling:
 * recorded twice, it is one event.
 */
export async function recordEndpointDisabled(
  fanOut: FanOut,
  source: string,
  state: EndpointState,
): Promise<void> {
  const disabledAt = state.disabledAt ?? new Date().toISOString();
  const eventId = `endpoint.disabled:${state.name}:${disabledAt}`;
  const body = JSON.stringify({
    type: 'endpoint.disabled',
    timestamp: disabledAt,
    data: {
      endpoint: state.name,
      reason: state.reason,
      failingSince: state.failingSince,
      consecutiveDeadLetters: state.consecutiveDeadLetters,
    },
  });
  const bytes = Buffer.from(body);
  await fanOut(
    eventKey(source, eventId),
    {
      source,
      eventId,
      eventType: 'endpoint.disabled',
      receivedAt: disabledAt,
      contentType: 'application/json',
      body,
    },
    {
      content: contentHash('endpoint.disabled', bytes),
      bodyOnly: () => bodyOnlyHash(bytes),
    },
    { except: state.name },
  );
}
