import { Agent, Dispatcher, Pool } from 'undici';

export interface OriginPoolsOptions {
  /** Options of every connection pool (an mTLS client certificate in `connect`, say). */
  pool?: Pool.Options;
  /**
   * Origins that keep a pool of their own for the service's life; calls to any other origin (a
   * redirect, a session's endpoint beyond these) go through an undici Agent. A supplier cannot
   * make us keep unbounded state by naming new origins.
   * @default 4
   */
  maxKeptOrigins?: number;
}

/**
 * One keep-alive connection pool per origin, kept while the service lives. undici's Agent closes
 * an origin's pool as soon as its last connection closes, so a supplier that closes every
 * connection (PHP's built-in server answers `Connection: close`) cost a new Pool, a new Client and
 * a ClientDestroyedError with its stack trace on every call — about 5 % of an uncached call's CPU
 * in soap-proxy (profiled, bench:soap). A kept pool simply reconnects.
 */
export class OriginPools extends Dispatcher {
  readonly #pools = new Map<string, Pool>();
  readonly #options: Pool.Options;
  readonly #maxKeptOrigins: number;
  readonly #others: Agent;

  constructor({ pool = {}, maxKeptOrigins = 4 }: OriginPoolsOptions = {}) {
    super();
    this.#options = pool;
    this.#maxKeptOrigins = maxKeptOrigins;
    this.#others = new Agent(pool);
  }

  override dispatch(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    const origin = options.origin === undefined ? '' : String(options.origin);
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      if (this.#pools.size >= this.#maxKeptOrigins || origin === '')
        return this.#others.dispatch(options, handler);
      pool = new Pool(origin, this.#options);
      this.#pools.set(origin, pool);
    }
    return pool.dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closed = Promise.all([
      ...[...this.#pools.values()].map((pool) => pool.close()),
      this.#others.close(),
    ]).then(() => undefined);
    if (callback === undefined) return closed;
    void closed.then(callback, callback);
  }

  override destroy(error?: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(
    errorOrCallback?: Error | null | (() => void),
    callback?: () => void,
  ): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null);
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    const destroyed = Promise.all([
      ...[...this.#pools.values()].map((pool) => pool.destroy(error)),
      this.#others.destroy(error),
    ]).then(() => undefined);
    if (done === undefined) return destroyed;
    void destroyed.then(done, done);
  }
}
