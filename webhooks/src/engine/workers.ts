import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import type { Logger } from '@manifold/platform/logging';
import type { QueueRedis } from '@manifold/platform/dead-letters';
import { createDeliver, TransientDeliveryError } from '../delivery/deliver.ts';
import { createDestinationClient } from '../delivery/destination-client.ts';
import type { DestinationStates } from '../delivery/destination-states.ts';
import type { ReplayTargets } from '../delivery/replay-targets.ts';
import { createOrdering } from '../delivery/ordering.ts';
import { retryDelayMs } from '../delivery/retry-schedule.ts';
import type { WebhooksMetrics } from '../metrics.ts';
import type { EndpointStates } from '../outbound/endpoint-states.ts';
import type { OutboundEndpoint } from '../outbound/endpoints.ts';
import type { DestinationSettings } from '../settings/webhooks-file.ts';
import { DELIVERIES_QUEUE, type DeliveryJob, type Engine } from './queues.ts';

export interface WorkersOptions {
  engine: Engine;
  destinations: Readonly<Record<string, DestinationSettings>>;
  /** Registered endpoints and their health (absent: none). */
  endpoints?: ReadonlyMap<string, OutboundEndpoint>;
  endpointStates?: EndpointStates;
  /** Destinations' rate limits, breakers, pauses and Retry-After holds (absent: none). */
  destinationStates?: DestinationStates;
  /** Whether a route orders by key (else no delivery ever waits for an earlier one). */
  ordered: boolean;
  /** Services whose recorded requests are replayed through them (absent: none). */
  replayTargets?: ReplayTargets | undefined;
  /** Caps of the full-jitter delay before each retry (ms). */
  schedule: readonly number[];
  maxRetryAfterMs: number;
  concurrency: number;
  /** A killed worker's job is taken over after this long. */
  lockMs: number;
  metrics: WebhooksMetrics;
  logger: Logger;
}

export interface Workers {
  close: () => Promise<void>;
}

/**
 * The delivery worker (the fan-out happens at receipt: delivery/fan-out.ts), with its own
 * blocking connection (BullMQ duplicates the engine's). A job whose worker died is
 * taken over once its lock expires; `maxStalledCount` lets that happen a few times before the
 * job is failed (a dead letter, replayable), never silently dropped.
 */
export function startWorkers(options: WorkersOptions): Workers {
  const { engine, schedule, maxRetryAfterMs, concurrency, lockMs, logger } = options;
  const connection: QueueRedis = engine.workerConnection;
  const ordering = options.ordered
    ? createOrdering({ redis: engine.redis, prefix: engine.prefix, deliveries: engine.deliveries })
    : undefined;
  const client = createDestinationClient();
  const deliveries = new Worker<DeliveryJob>(
    DELIVERIES_QUEUE,
    createDeliver({
      destinations: options.destinations,
      client,
      endpoints: options.endpoints,
      endpointStates: options.endpointStates,
      destinationStates: options.destinationStates,
      ordering,
      replayTargets: options.replayTargets,
      metrics: options.metrics,
      logger,
    }),
    {
      connection,
      prefix: engine.prefix,
      // Kept on each job (`processedBy`): which process took it last, when several run.
      name: `${hostname()}/${process.pid}`,
      lockDuration: lockMs,
      stalledInterval: Math.max(1_000, Math.floor(lockMs / 2)),
      maxStalledCount: 5,
      concurrency,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
          retryDelayMs(attemptsMade, {
            schedule,
            retryAfterMs: error instanceof TransientDeliveryError ? error.retryAfterMs : undefined,
            maxRetryAfterMs,
          }),
      },
    },
  );
  // Redis away: BullMQ reconnects by itself; say so once per error, not per job.
  deliveries.on('error', (error) => {
    logger.warn({ err: error, queue: deliveries.name }, 'webhooks worker error');
  });
  // Once: a second close (a test's teardown after the test closed them) waits for the first.
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        await deliveries.close().catch(() => undefined);
        // After the worker: a delivery in flight finishes on its connection first.
        await client.close();
      })()),
  };
}
