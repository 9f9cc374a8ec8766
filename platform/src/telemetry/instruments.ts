import { errorCatalog, isErrorCode } from '../errors/index.ts';
import { OTHER_LABEL } from './label-budget.ts';
import { manifoldMeter } from './meter.ts';

/**
 * Histogram boundaries for everything we time, in seconds: fine below 10 ms (cache hits, a
 * subgraph's entity fetch) so p50 resolves there, and up to the 10 s of the longest upstream
 * deadline, so p95 and p99 resolve under load and outage alike.
 */
export const DURATION_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5,
  7.5, 10,
];

/** A duration histogram (seconds) with our boundaries. */
export const durationHistogram = (name: string, description: string) =>
  manifoldMeter().createHistogram(name, {
    unit: 's',
    description,
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
  });

/** The catalogue code as a label: codes we do not know (a third party's) share one label. */
export const errorTypeLabel = (code: unknown): string => (isErrorCode(code) ? code : OTHER_LABEL);

/** Whether an error is ours to fix (5xx), not the client's (4xx); an unknown code is ours. */
export const isServerSideCode = (code: unknown): boolean =>
  !isErrorCode(code) || errorCatalog[code].status >= 500;
