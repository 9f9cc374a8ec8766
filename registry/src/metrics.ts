import { manifoldMeter } from '@manifold/platform/telemetry';

export type PublishOutcome = 'published' | 'forced' | 'unchanged' | 'refused';

/** What the registry counts, at /metrics (made at start-up, after the telemetry SDK is installed). */
export interface RegistryMetrics {
  checked(passed: boolean): void;
  published(outcome: PublishOutcome, subgraph: string): void;
  usageRecorded(entries: number): void;
}

/**
 * `manifold_registry_checks_total{outcome}`, `manifold_registry_publishes_total{outcome,subgraph}`,
 * `manifold_registry_usage_entries_total`, and gauges for the version served and the long-polls
 * held (about one per following gateway replica).
 */
export function createRegistryMetrics(observe: {
  version: () => string | undefined;
  longPolls: () => number;
}): RegistryMetrics {
  const meter = manifoldMeter();
  const checks = meter.createCounter('manifold.registry.checks', {
    unit: '{check}',
    description: 'Schema checks run (each publish runs one), by outcome.',
  });
  const publishes = meter.createCounter('manifold.registry.publishes', {
    unit: '{publish}',
    description:
      'Publish requests by outcome: published, forced (a failing check published), unchanged, refused.',
  });
  const usage = meter.createCounter('manifold.registry.usage.entries', {
    unit: '{entry}',
    description: 'Usage report entries recorded (operation × client × hour).',
  });
  meter
    .createObservableGauge('manifold.registry.supergraph.version', {
      description: 'The supergraph version this replica serves (its sequence number).',
    })
    .addCallback((result) => {
      const version = Number(observe.version());
      if (Number.isFinite(version)) result.observe(version);
    });
  meter
    .createObservableGauge('manifold.registry.long_polls', {
      unit: '{request}',
      description: 'GET /supergraph long-polls held right now.',
    })
    .addCallback((result) => {
      result.observe(observe.longPolls());
    });
  return {
    checked: (passed) => {
      checks.add(1, { outcome: passed ? 'passed' : 'failed' });
    },
    published: (outcome, subgraph) => {
      publishes.add(1, { outcome, subgraph });
    },
    usageRecorded: (entries) => {
      usage.add(entries);
    },
  };
}
