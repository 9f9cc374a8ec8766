export {
  createDeadLetterRecorder,
  deadLetterIdFor,
  withoutSecrets,
  type DeadLetterRecorder,
  type UpstreamRequestRecord,
} from './record.ts';
