export interface InFlight<T> {
  /**
   * The pending result for `key` if a call with that key is still running (`shared: true`),
   * otherwise `run()`'s, which later identical keys share until it settles.
   */
  share(key: string, run: () => Promise<T>): { result: Promise<T>; shared: boolean };
  /** Calls running now. */
  readonly size: number;
}

/**
 * In-flight de-duplication: identical calls made while the first is still running wait for it
 * instead of making their own. Nothing is kept once a call settles — this is not a cache, so an
 * answer is never older than the request that receives it.
 */
export function createInFlight<T>(): InFlight<T> {
  const pending = new Map<string, Promise<T>>();
  return {
    share(key, run) {
      const running = pending.get(key);
      if (running) return { result: running, shared: true };
      const result = run().finally(() => {
        pending.delete(key);
      });
      pending.set(key, result);
      return { result, shared: false };
    },
    get size() {
      return pending.size;
    },
  };
}
