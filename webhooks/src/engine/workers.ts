import { Worker } from 'bullmq';
import type { Logger } from '@manifold/platform/logging';
import type { Redis } from 'ioredis';
import { createDeliver, TransientDeliveryError } from '../delivery/deliver.ts';
import type { DestinationStates } from '../delivery/destination-states.ts';
import type { ReplayTargets } from '../delivery/replay-targets.ts';
import { createFanOut } from '../delivery/fan-out.ts';
import { createOrdering } from '../delivery/ordering.ts';
import { retryDelayMs } from '../delivery/retry-schedule.ts';
import type { WebhooksMetrics } from '../metrics.ts';
import type { EndpointStates } from '../outbound/endpoint-states.ts';
import type { OutboundEndpoint } from '../outbound/endpoints.ts';
import type { OrderKeys } from '../settings/order-keys.ts';
import type { Router } from '../settings/routing.ts';
import type { DestinationSettings } from '../settings/webhooks-file.ts';
import {
  DELIVERIES_QUEUE,
  EVENTS_QUEUE,
  type DeliveryJob,
  type Engine,
  type EventJob,
} from './queues.ts';

export interface WorkersOptions {
  engine: Engine;
  route: Router;
  destinations: Readonly<Record<string, DestinationSettings>>;
  /** Registered endpoints and their health (absent: none). */
  endpoints?: ReadonlyMap<string, OutboundEndpoint>;
  endpointStates?: EndpointStates;
  /** Destinations' rate limits, breakers and pauses (absent: none). */
  destinationStates?: DestinationStates;
  /** Routes' `orderBy` keys (absent: nothing is ordered). */
  orderKeys?: OrderKeys | undefined;
  /** Services whose recorded requests are replayed through them (absent: none). */
  replayTargets?: ReplayTargets | undefined;
  /** Caps of the full-jitter delay before each retry (ms). */
  schedule: readonly number[];
  maxRetryAfterMs: number;
  concurrency: number;
  /** A killed worker's job is taken over after this long. */
  lockMs: number;
  dedupeSeconds: number;
  metrics: WebhooksMetrics;
  logger: Logger;
}

export interface Workers {
  close: () => Promise<void>;
}

/**
 * The fan-out worker (event → one delivery per destination) and the delivery worker, each with
 * its own blocking connection (BullMQ duplicates the engine's). A job whose worker died is
 * taken over once its lock expires; `maxStalledCount` lets that happen a few times before the
 * job is failed (a dead letter, replayable), never silently dropped.
 */
export function startWorkers(options: WorkersOptions): Workers {
  const { engine, schedule, maxRetryAfterMs, concurrency, lockMs, logger } = options;
  const connection: Redis = engine.workerConnection;
  const common = {
    connection,
    prefix: engine.prefix,
    lockDuration: lockMs,
    stalledInterval: Math.max(1_000, Math.floor(lockMs / 2)),
    maxStalledCount: 5,
  };
  const ordering = options.orderKeys
    ? createOrdering({ redis: engine.redis, prefix: engine.prefix, deliveries: engine.deliveries })
    : undefined;
  const fanOut = new Worker<EventJob>(
    EVENTS_QUEUE,
    createFanOut({
      route: options.route,
      deliveries: engine.deliveries,
      attempts: schedule.length + 1,
      keepSeconds: options.dedupeSeconds,
      orderKeys: options.orderKeys,
      ordering,
    }),
    { ...common, concurrency },
  );
  const deliveries = new Worker<DeliveryJob>(
    DELIVERIES_QUEUE,
    createDeliver({
      destinations: options.destinations,
      endpoints: options.endpoints,
      endpointStates: options.endpointStates,
      destinationStates: options.destinationStates,
      ordering,
      replayTargets: options.replayTargets,
      metrics: options.metrics,
      logger,
    }),
    {
      ...common,
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
  for (const worker of [fanOut, deliveries])
    // Redis away: BullMQ reconnects by itself; say so once per error, not per job.
    worker.on('error', (error) => {
      logger.warn({ err: error, queue: worker.name }, 'webhooks worker error');
    });
  return {
    close: async () => {
      await Promise.allSettled([fanOut.close(), deliveries.close()]);
    },
  };
}
