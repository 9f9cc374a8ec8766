import { AppError } from '@manifold/platform/errors';
import { UpstreamError } from '@manifold/platform/resilience';
import type { SessionConfig } from '../config.ts';

/** One login's outcome: what goes into the session header, and where calls go meanwhile. */
export interface Session {
  token: unknown;
  /** A new endpoint URL the login answer named (Salesforce's serverUrl), if any. */
  endpoint: string | undefined;
  expiresAt: number;
  generation: number;
}

/** The answer of the login operation (its JSON, as the REST API would give it). */
export type Login = () => Promise<unknown>;

/** RFC 6901: the value at `pointer` in `value`. */
export function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A copy of `target` with `value` at `pointer` (objects made on the way); '' replaces the whole. */
export function withValueAt(target: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const [, first = '', rest = ''] = /^\/([^/]*)(.*)$/.exec(pointer) ?? [];
  const key = first.replaceAll('~1', '/').replaceAll('~0', '~');
  const base =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? (target as Record<string, unknown>)
      : {};
  return { ...base, [key]: withValueAt(base[key], rest, value) };
}

/**
 * A service's login session, shared by its calls: logged in on first use, kept for `ttlSeconds`,
 * and, when a call finds it expired, replaced by exactly one new login however many calls noticed
 * (single flight, as the legacy adapter does for the monolith's session). The token never leaves
 * soap-proxy.
 */
export class SoapSession {
  readonly #login: Login;
  readonly #settings: SessionConfig;
  readonly #upstream: string;
  readonly #expired: RegExp;
  readonly #now: () => number;
  #current: Session | undefined;
  #pending: Promise<Session> | undefined;
  #generation = 0;
  /** Logins performed (observability and tests). */
  logins = 0;

  constructor(
    login: Login,
    settings: SessionConfig,
    upstream: string,
    now: () => number = Date.now,
  ) {
    this.#login = login;
    this.#settings = settings;
    this.#upstream = upstream;
    this.#expired = new RegExp(settings.expiredFault);
    this.#now = now;
  }

  /** The session to use now, logging in first when there is none or it is past its TTL. */
  current(): Promise<Session> {
    const session = this.#current;
    if (session && session.expiresAt > this.#now()) return Promise.resolve(session);
    this.#pending ??= this.#logIn().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Drops `stale` (the session a call found expired) unless another call already replaced it. */
  expired(stale: Session): void {
    if (this.#current?.generation === stale.generation) this.#current = undefined;
  }

  /** Whether a fault says the session is gone (its code, string or detail text matches `expiredFault`). */
  isExpiredFault(fault: { faultcode?: string; faultstring?: string; detail?: unknown }): boolean {
    return [fault.faultcode, fault.faultstring, JSON.stringify(fault.detail ?? null)].some(
      (text) => text !== undefined && this.#expired.test(text),
    );
  }

  async #logIn(): Promise<Session> {
    this.logins++;
    let answer: unknown;
    try {
      answer = await this.#login();
    } catch (error) {
      // A refused login is soap-proxy's configuration, never the caller's input: not a 422.
      if (!(error instanceof AppError) || error.code !== 'UPSTREAM_REJECTED') throw error;
      throw new UpstreamError(
        'UPSTREAM_ERROR',
        this.#upstream,
        `${this.#upstream} refused soap-proxy's ${this.#settings.operation}: ${error.message}`,
        { transient: false, cause: error },
      );
    }
    const token = valueAt(answer, this.#settings.token);
    if (token === undefined || token === null || token === '')
      throw new UpstreamError(
        'UPSTREAM_ERROR',
        this.#upstream,
        `${this.#upstream}'s ${this.#settings.operation} answer has no session token at ${this.#settings.token}`,
        { transient: false },
      );
    const endpoint =
      this.#settings.endpoint === undefined ? undefined : valueAt(answer, this.#settings.endpoint);
    const session: Session = {
      token,
      endpoint: typeof endpoint === 'string' && endpoint !== '' ? endpoint : undefined,
      expiresAt: this.#now() + this.#settings.ttlSeconds * 1000,
      generation: ++this.#generation,
    };
    this.#current = session;
    return session;
  }
}
