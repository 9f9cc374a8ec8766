import type { Logger } from '@manifold/platform/logging';
import type { RegistryStore, StoredVersion } from './store/store.ts';

export interface VersionWatchOptions {
  store: RegistryStore;
  logger: Logger;
  /** How often to look for versions another replica stored. @default 1000 (1 s) */
  pollMs?: number;
}

/**
 * The current version id, known in memory: a publish on this replica announces itself at once
 * (`announce`), one on another replica sharing the store is seen within `pollMs`. Long-polls
 * wait here; the latest version's content is cached so a hundred gateways asking cost one read.
 */
export class VersionWatch {
  readonly #store: RegistryStore;
  readonly #logger: Logger;
  readonly #pollMs: number;
  #current: string | undefined;
  #latest: StoredVersion | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #waiters = new Set<() => void>();
  #polling = false;

  constructor({ store, logger, pollMs = 1_000 }: VersionWatchOptions) {
    this.#store = store;
    this.#logger = logger;
    this.#pollMs = pollMs;
  }

  async start(): Promise<void> {
    this.#current = await this.#store.currentId();
    this.#timer = setInterval(() => {
      void this.#poll();
    }, this.#pollMs);
    this.#timer.unref();
  }

  /** The current version id (undefined: the store holds none yet). */
  get current(): string | undefined {
    return this.#current;
  }

  /** Long-polls held right now (about one per following gateway replica). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** The current version with its SDL. */
  async latest(): Promise<StoredVersion | undefined> {
    if (this.#current === undefined) return undefined;
    if (this.#latest?.version === this.#current) return this.#latest;
    const found = await this.#store.version(this.#current);
    if (found?.version === this.#current) this.#latest = found;
    return found;
  }

  /** A version this replica just stored. */
  announce(version: StoredVersion): void {
    this.#latest = version;
    this.#set(version.version);
  }

  /**
   * Resolves when the current version is no longer `known`, after `timeoutMs`, when `signal`
   * aborts (the client went away) or on `releaseAll` (shutdown) — whichever comes first.
   */
  waitForChange(known: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#current !== known || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }

  /** Answers every waiting long-poll now (shutdown: they must not hold the drain). */
  releaseAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  close(): void {
    clearInterval(this.#timer);
    this.releaseAll();
  }

  #set(version: string): void {
    if (version === this.#current) return;
    // Ids grow: never step back to an older id a slow poll read before a local publish.
    if (this.#current !== undefined && Number(version) < Number(this.#current)) return;
    this.#current = version;
    this.releaseAll();
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const id = await this.#store.currentId();
      if (id !== undefined) this.#set(id);
    } catch (error) {
      this.#logger.warn({ err: error }, 'registry store poll failed');
    } finally {
      this.#polling = false;
    }
  }
}
