import type { Logger } from 'pino';

export interface ExitOnSignalsOptions {
  /** Longest the whole shutdown may take; past it the process exits anyway, with code 1. */
  deadlineMs: number;
}

/**
 * Runs `shutdown` once — on SIGTERM, on SIGINT, or when the supervisor that started this process
 * with an IPC channel (`npm start`) is gone — then exits: 0 once it completed, 1 if it failed or
 * overran `deadlineMs`. Signals arriving meanwhile are absorbed: a terminal's Ctrl-C reaches a
 * process twice (from the terminal and forwarded by npm), and with no listener left Node's default
 * action would end the process mid-drain. main.ts only (through runService).
 */
export function exitOnSignals(
  shutdown: (reason: string) => Promise<void>,
  logger: Logger,
  { deadlineMs }: ExitOnSignalsOptions,
): void {
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) {
      logger.info({ reason }, 'already shutting down');
      return;
    }
    stopping = true;
    setTimeout(() => {
      logger.error({ reason, deadlineMs }, 'shutdown overran its deadline: exiting now');
      process.exit(1);
    }, deadlineMs).unref();
    shutdown(reason).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => {
      stop(signal);
    });
  onSupervisorGone(() => {
    stop('supervisor gone');
  });
}

/**
 * A process started with an IPC channel has a supervisor; the channel closes when that supervisor
 * exits, even when it is SIGKILLed and can pass no signal on. Without a channel, nothing to watch.
 */
function onSupervisorGone(callback: () => void): void {
  if (typeof process.send !== 'function') return;
  if (process.connected) process.once('disconnect', callback);
  else callback(); // it went away while this service was still starting
}
