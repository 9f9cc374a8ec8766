export { hasHashTag, WebhooksQueueEnv } from './queue-env.ts';
export { connectQueueRedis, shownNode, type QueueRedis } from './queue-redis.ts';
export { networkCodeOf, wasNotSent, withDeadLetterId } from './ambiguity.ts';
export {
  createDeadLetterRecorder,
  deadLetterRecorderFromEnv,
  deadLetterIdFor,
  withoutSecrets,
  type DeadLetterRecorder,
  type UpstreamRequestRecord,
} from './record.ts';
