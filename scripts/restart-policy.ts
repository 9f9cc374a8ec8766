export interface RestartPolicyOptions {
  /** Wait before the first restart; doubled after each crash in a row. @default 1000 */
  firstDelayMs?: number;
  /** The longest wait between restarts. @default 15000 */
  maxDelayMs?: number;
  /** Crashes in a row after which the service stays down. @default 6 */
  maxCrashes?: number;
  /** A run at least this long was stable: the next crash counts from one again. @default 60000 */
  stableAfterMs?: number;
}

export type RestartDecision =
  { restart: true; crashes: number; delayMs: number } | { restart: false; crashes: number };

/**
 * Decides, crash by crash, whether `npm start` brings a service back and after how long:
 * 1 s, 2 s, 4 s … (capped) for crashes in a row, and gives up after `maxCrashes` of them.
 */
export function createRestartPolicy({
  firstDelayMs = 1_000,
  maxDelayMs = 15_000,
  maxCrashes = 6,
  stableAfterMs = 60_000,
}: RestartPolicyOptions = {}) {
  let crashes = 0;
  return {
    maxCrashes,
    /** The service exited on its own after running `ranForMs`. */
    crashed(ranForMs: number): RestartDecision {
      crashes = ranForMs >= stableAfterMs ? 1 : crashes + 1;
      if (crashes >= maxCrashes) return { restart: false, crashes };
      return {
        restart: true,
        crashes,
        delayMs: Math.min(firstDelayMs * 2 ** (crashes - 1), maxDelayMs),
      };
    },
  };
}
