import { metrics, type Meter } from '@opentelemetry/api';

/**
 * The meter of Manifold's own metrics. Instruments are made by factories at start-up, after
 * register.ts installed the SDK: made earlier, they would stay no-ops.
 */
export const manifoldMeter = (): Meter => metrics.getMeter('manifold');
