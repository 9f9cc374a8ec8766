import type { Queue } from 'bullmq';
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
  dispose: () => void;
}

export function createWebhooksMetrics({
  deadLetters,
}: { deadLetters?: Queue } = {}): WebhooksMetrics {
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
  return {
    received: (source, outcome) => {
      received.add(1, { source, outcome });
    },
    attempted: (destination, outcome, seconds) => {
      attempts.add(1, { destination, outcome });
      duration.record(seconds, { destination, outcome });
    },
    dispose: () => {
      gauge.removeCallback(observe);
    },
  };
}
