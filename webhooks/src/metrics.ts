import type { Queue } from 'bullmq';
import type { EndpointStates } from './outbound/endpoint-states.ts';
import { durationHistogram, manifoldMeter } from '@manifold/platform/telemetry';

/**
 * The service's own metrics (OpenTelemetry, on /metrics as `manifold_webhooks_*`):
 * inbound requests by source and outcome, delivery attempts by destination and outcome with
 * their duration, and the dead-letter count.
 */
export interface WebhooksMetrics {
  received: (source: string, outcome: 'accepted' | 'duplicate' | 'refused') => void;
  attempted: (
    destination: string,
    outcome: 'delivered' | 'retrying' | 'dead-lettered',
    seconds: number,
  ) => void;
  /** An endpoint was disabled (its rule crossed). */
  endpointDisabled: (endpoint: string) => void;
  dispose: () => void;
}

export function createWebhooksMetrics({
  deadLetters,
  endpointStates,
}: { deadLetters?: Queue; endpointStates?: Pick<EndpointStates, 'list'> } = {}): WebhooksMetrics {
  const meter = manifoldMeter();
  const received = meter.createCounter('manifold.webhooks.received', {
    unit: '{request}',
    description: 'Inbound webhook requests by source and outcome (accepted, duplicate, refused).',
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
    },
  };
}
