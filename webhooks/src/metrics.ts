import type { Queue } from 'bullmq';
import type { DestinationState, DestinationStates } from './delivery/destination-states.ts';
import type { EndpointStates } from './outbound/endpoint-states.ts';
import { durationHistogram, manifoldMeter } from '@manifold/platform/telemetry';

/**
 * The service's own metrics (OpenTelemetry, on /metrics as `manifold_webhooks_*`):
 * inbound requests by source and outcome, delivery attempts by destination and outcome with
 * their duration, and the dead-letter count.
 */
export interface WebhooksMetrics {
  received: (
    source: string,
    outcome: 'accepted' | 'duplicate' | 'refused' | 'id-reused' | 'unavailable',
  ) => void;
  attempted: (
    destination: string,
    outcome: 'delivered' | 'retrying' | 'dead-lettered',
    seconds: number,
  ) => void;
  /** An endpoint was disabled (its rule crossed). */
  endpointDisabled: (endpoint: string) => void;
  dispose: () => void;
}

/** `manifold_webhooks_destination_state`'s values: the higher, the less goes out. */
export const DESTINATION_STATE_VALUES: Record<DestinationState['state'], number> = {
  active: 0,
  'half-open': 1,
  open: 2,
  paused: 3,
};

export function createWebhooksMetrics({
  deadLetters,
  endpointStates,
  destinationStates,
}: {
  deadLetters?: Queue;
  endpointStates?: Pick<EndpointStates, 'list'>;
  destinationStates?: Pick<DestinationStates, 'list'>;
} = {}): WebhooksMetrics {
  const meter = manifoldMeter();
  const received = meter.createCounter('manifold.webhooks.received', {
    unit: '{request}',
    description:
      'Inbound webhook requests by source and outcome: accepted, duplicate, refused (signature or timestamp), id-reused (409), unavailable (503: not stored, the sender retries).',
  });
  const attempts = meter.createCounter('manifold.webhooks.delivery.attempts', {
    unit: '{attempt}',
    description:
      'Delivery attempts by destination and outcome (delivered, retrying, dead-lettered).',
  });
  const duration = durationHistogram(
    'manifold.webhooks.delivery.duration',
    'Duration of one delivery attempt to a destination.',
  );
  const gauge = meter.createObservableGauge('manifold.webhooks.dead_letters', {
    unit: '{delivery}',
    description: 'Deliveries waiting in the dead-letter queue for a replay.',
  });
  const observe = async (result: { observe: (value: number) => void }) => {
    if (!deadLetters) return;
    try {
      result.observe(await deadLetters.getFailedCount());
    } catch {
      // Redis away: no sample this scrape (the outage shows on /healthz and in the logs).
    }
  };
  if (deadLetters) gauge.addCallback(observe);
  const disablings = meter.createCounter('manifold.webhooks.endpoint.disablings', {
    unit: '{disabling}',
    description: 'Registered endpoints disabled for failing too long, by endpoint.',
  });
  const disabled = meter.createObservableGauge('manifold.webhooks.endpoint.disabled', {
    unit: '{endpoint}',
    description: 'Whether each registered endpoint is disabled (1) or enabled (0).',
  });
  const observeEndpoints = async (result: {
    observe: (value: number, attributes: { endpoint: string }) => void;
  }) => {
    if (!endpointStates) return;
    try {
      for (const state of await endpointStates.list())
        result.observe(state.disabled ? 1 : 0, { endpoint: state.name });
    } catch {
      // Redis away: no sample this scrape.
    }
  };
  if (endpointStates) disabled.addCallback(observeEndpoints);
  const destinationState = meter.createObservableGauge('manifold.webhooks.destination.state', {
    unit: '{state}',
    description:
      'Each destination: 0 active, 1 half-open (one probe goes), 2 breaker open, 3 paused (until resumed).',
  });
  const destinationHeld = meter.createObservableGauge('manifold.webhooks.destination.held', {
    unit: 's',
    description:
      'Each destination: seconds left of the hold its own Retry-After (429, 503) put on every delivery to it; 0 when none, and always 0 for one with neither rateLimit nor breaker (held in a worker process’s memory).',
  });
  // One read of the states for both gauges, per scrape.
  const observeDestinations = async (
    result: Parameters<Parameters<typeof meter.addBatchObservableCallback>[0]>[0],
  ) => {
    if (!destinationStates) return;
    try {
      const at = Date.now();
      for (const state of await destinationStates.list()) {
        const attributes = { destination: state.name };
        result.observe(destinationState, DESTINATION_STATE_VALUES[state.state], attributes);
        const heldUntil = state.heldUntil === undefined ? at : Date.parse(state.heldUntil);
        result.observe(destinationHeld, Math.max(0, (heldUntil - at) / 1000), attributes);
      }
    } catch {
      // Redis away: no sample this scrape.
    }
  };
  if (destinationStates)
    meter.addBatchObservableCallback(observeDestinations, [destinationState, destinationHeld]);
  return {
    received: (source, outcome) => {
      received.add(1, { source, outcome });
    },
    attempted: (destination, outcome, seconds) => {
      attempts.add(1, { destination, outcome });
      duration.record(seconds, { destination, outcome });
    },
    endpointDisabled: (endpoint) => {
      disablings.add(1, { endpoint });
    },
    dispose: () => {
      gauge.removeCallback(observe);
      disabled.removeCallback(observeEndpoints);
      meter.removeBatchObservableCallback(observeDestinations, [destinationState, destinationHeld]);
    },
  };
}
