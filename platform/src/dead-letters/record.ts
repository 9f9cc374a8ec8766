import { ATTEMPT_RESPONSE_CHARS, type DeadLetterAttempt } from '../contracts/webhooks-api.ts';
import type { Logger } from '../logging/index.ts';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { DEFAULT_WEBHOOKS_QUEUE_PREFIX } from './queue-env.ts';
import { connectQueueRedis } from './queue-redis.ts';

/**
 * A request to an upstream that is not safe to repeat and failed ambiguously (sent, then a
 * timeout, a reset or a 5xx): the upstream may or may not have acted. It is recorded as a dead
 * letter of the webhooks service — the same listing, inspection and replay — instead of being
 * retried blindly. A replay sends it once, never twice (webhooks' dead-letters.ts).
 */
export interface UpstreamRequestRecord {
  /** Chosen before sending (deadLetterIdFor), so the caller's error can carry it whenever it fails. */
  id: string;
  /** The service that sent it: the dead letter's `source` (`soap-proxy`, `legacy-rest-adapter`). */
  source: string;
  /** The upstream: the dead letter's `destination`. */
  destination: string;
  /** The route or operation: the dead letter's `eventType`. */
  operation: string;
  request: {
    method: string;
    url: string;
    /** Credentials already removed: a record is read by support, and replayed from it. */
    headers: Record<string, string>;
    contentType: string;
    body: string;
  };
  /** The caller's request id and trace id, and who the caller was (client id / subject). */
  requestId?: string | undefined;
  traceId?: string | undefined;
  caller?: string | undefined;
  attempt: {
    at: Date;
    latencyMs: number;
    status?: number | undefined;
    error: string;
    /** The start of the upstream's answer, when one came. */
    response?: string | undefined;
  };
}

/** The webhooks deliveries queue, as its service names it (webhooks/src/engine/queues.ts). */
const DELIVERIES_QUEUE = 'deliveries';

/** Header names never kept in a record. */
const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$|token|secret|password/i;

export const withoutSecrets = (headers: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !SECRET_HEADER.test(name)));

/** A dead letter's id (also its Idempotency-Key and BullMQ job id): unique, and says where it came from. */
export const deadLetterIdFor = (source: string) => `${source}-${randomUUID()}`;

export interface DeadLetterRecorder {
  /** `ready`: writing into the webhooks Redis; `unconfigured`: no Redis, records only logged. */
  readonly state: 'ready' | 'unconfigured';
  /** Records one failed request; resolves to false when it could not be stored (the caller logs it then). */
  record: (entry: UpstreamRequestRecord) => Promise<{ stored: boolean }>;
  close: () => Promise<void>;
}

/**
 * Writes straight into the webhooks service's Redis (a BullMQ job in its deliveries queue), so a
 * record is kept while the webhooks service itself is down: its worker turns the job into a dead
 * letter, without sending it, when it next runs. Without a Redis URL nothing is stored and every
 * record is reported as not stored (the adapter logs it, with its id, and says so in /healthz).
 */
export function createDeadLetterRecorder({
  redisUrl,
  prefix = DEFAULT_WEBHOOKS_QUEUE_PREFIX,
  cluster = false,
}: {
  redisUrl: string | undefined;
  prefix?: string;
  /** `redisUrl` names a node of a Redis Cluster (WEBHOOKS_REDIS_CLUSTER). */
  cluster?: boolean;
}): DeadLetterRecorder {
  if (!redisUrl)
    return {
      state: 'unconfigured',
      record: () => Promise.resolve({ stored: false }),
      close: () => Promise.resolve(),
    };
  const redis = connectQueueRedis(redisUrl, {
    cluster,
    connection: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
  });
  redis.on('error', () => undefined); // a failing write fails its record, which is logged
  const queue = new Queue(DELIVERIES_QUEUE, { connection: redis, prefix });
  queue.on('error', () => undefined);
  return {
    state: 'ready',
    record: async (entry) => {
      const { id, request, attempt } = entry;
      try {
        const job = await queue.add(
          entry.operation,
          {
            // The fields of a webhooks delivery (listed and filtered the same way)…
            source: entry.source,
            eventId: entry.requestId ?? id,
            eventType: entry.operation,
            receivedAt: attempt.at.toISOString(),
            contentType: request.contentType,
            body: request.body,
            destination: entry.destination,
            idempotencyKey: id,
            // …and what a replay needs to send the request as it was sent.
            upstreamRequest: { method: request.method, url: request.url, headers: request.headers },
            recordedError: attempt.error,
            ...(entry.traceId ? { traceId: entry.traceId } : {}),
            ...(entry.caller ? { caller: entry.caller } : {}),
          },
          { jobId: id, attempts: 1, removeOnComplete: false, removeOnFail: false },
        );
        await job.log(
          JSON.stringify({
            attempt: 1,
            at: attempt.at.toISOString(),
            latencyMs: attempt.latencyMs,
            ...(attempt.status === undefined ? {} : { status: attempt.status }),
            error: attempt.error,
            ...(attempt.response === undefined
              ? {}
              : { response: attempt.response.slice(0, ATTEMPT_RESPONSE_CHARS) }),
          } satisfies DeadLetterAttempt),
        );
        return { stored: true };
      } catch {
        return { stored: false };
      }
    },
    close: async () => {
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/**
 * A service's recorder from its environment — straight into the webhooks Redis
 * (WEBHOOKS_REDIS_URL, else REDIS_URL; WEBHOOKS_QUEUE_PREFIX; WEBHOOKS_REDIS_CLUSTER), so a
 * record is kept while the webhooks service is down — with one warning when there is no Redis to
 * keep them in.
 * `failures` says what would then only be logged, e.g. "non-idempotent legacy writes".
 */
export function deadLetterRecorderFromEnv(
  env: {
    WEBHOOKS_REDIS_URL?: string | undefined;
    REDIS_URL?: string | undefined;
    WEBHOOKS_QUEUE_PREFIX?: string | undefined;
    WEBHOOKS_REDIS_CLUSTER?: boolean | undefined;
  },
  logger: Logger,
  failures: string,
): DeadLetterRecorder {
  const recorder = createDeadLetterRecorder({
    redisUrl: env.WEBHOOKS_REDIS_URL ?? env.REDIS_URL,
    ...(env.WEBHOOKS_QUEUE_PREFIX !== undefined && { prefix: env.WEBHOOKS_QUEUE_PREFIX }),
    cluster: env.WEBHOOKS_REDIS_CLUSTER ?? false,
  });
  if (recorder.state === 'unconfigured')
    logger.warn(`no Redis: ambiguous failures of ${failures} are only logged, not recorded`);
  return recorder;
}
