import type { Logger } from 'pino';

export interface RepeatedFailureLogOptions {
  /** What is failing, as the first line says it (`cache unavailable; treating as a miss`). */
  message: string;
  /** Fields on every line of this log (`{ upstream: 'legacy' }`). */
  fields?: Record<string, unknown>;
  /** How often a failure that goes on is reported, with its count. @default 60000 (1 minute) */
  intervalMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface RepeatedFailureLog {
  /** Reports a failure: the first of a run in full (with its error), later ones as a periodic count. */
  failed(err?: unknown): void;
  /** Reports that the failure stopped, once, with how many there were. */
  recovered(): void;
}

/**
 * A failure that repeats (Redis down, an upstream down) is one event, not one line per request:
 * the first occurrence is logged with its error, then one line per `intervalMs` counts how many
 * more there were, and recovery is logged once. 250 warnings a second with stack traces buried
 * everything else in the logs.
 */
export function createRepeatedFailureLog(
  logger: Logger,
  { message, fields = {}, intervalMs = 60_000, now = Date.now }: RepeatedFailureLogOptions,
): RepeatedFailureLog {
  let failing = false;
  let total = 0;
  let unreported = 0;
  let reportedAt = 0;
  return {
    failed(err) {
      total++;
      if (!failing) {
        failing = true;
        reportedAt = now();
        logger.warn({ ...fields, err }, message);
        return;
      }
      unreported++;
      if (now() - reportedAt >= intervalMs) {
        logger.warn(
          { ...fields, failures: unreported, sinceMs: now() - reportedAt },
          `${message} (still failing)`,
        );
        unreported = 0;
        reportedAt = now();
      }
    },
    recovered() {
      if (!failing) return;
      logger.info({ ...fields, failures: total }, `${message}: recovered`);
      failing = false;
      total = 0;
      unreported = 0;
    },
  };
}
