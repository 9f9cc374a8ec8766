export { runService, type RunServiceOptions } from './run-service.ts';
export { createGracefulShutdown, exitOnSignals, type GracefulShutdownOptions } from './shutdown.ts';
