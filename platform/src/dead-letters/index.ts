export {
  createDeadLetterRecorder,
  withoutSecrets,
  type DeadLetterRecorder,
  type UpstreamRequestRecord,
} from './record.ts';
