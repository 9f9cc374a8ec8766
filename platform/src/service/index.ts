export { CLOSE_BUDGET_MS, runService, type RunServiceOptions } from './run-service.ts';
export { createGracefulShutdown, type GracefulShutdownOptions } from './shutdown.ts';
export { exitOnSignals, type ExitOnSignalsOptions } from './exit-on-signals.ts';
