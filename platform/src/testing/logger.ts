import { createLogger } from '../logging/logger.ts';

/** A logger that writes nothing, for tests. */
export const silentLogger = (service = 'test') => createLogger({ service, level: 'silent' });
