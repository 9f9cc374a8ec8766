export { createLogger, type Logger, type LoggerOptions } from './logger.ts';
export {
  createRepeatedFailureLog,
  type RepeatedFailureLog,
  type RepeatedFailureLogOptions,
} from './repeated-failure.ts';
