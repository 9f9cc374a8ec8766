/** What the monolith says, in a JSON error or on a page, when the session is gone: log in again. */
export const SESSION_GONE = /not logged in|session expired/i;

export interface LegacySessionOptions {
  baseUrl: string;
  username: string;
  password: string;
  /** Per login attempt. @default 5000 */
  timeoutMs?: number;
}

/**
 * The adapter's one service login to the monolith. The PHPSESSID cookie is reused by every call;
 * when it expires, the first caller to notice logs in again and everyone else waits for that same
 * login (single flight). The cookie never leaves the adapter.
 */
export class LegacySession {
  readonly #options: Required<LegacySessionOptions>;
  #cookie: string | undefined;
  #login: Promise<string> | undefined;
  /** Logins performed (observability and tests). */
  logins = 0;

  constructor({ timeoutMs = 5_000, ...options }: LegacySessionOptions) {
    this.#options = { timeoutMs, ...options };
  }

  /** The current cookie, logging in first when there is none. */
  async cookie(): Promise<string> {
    return this.#cookie ?? this.#relogin();
  }

  /** Drops `stale` (the cookie a call found expired) unless another caller already replaced it. */
  invalidate(stale: string): void {
    if (this.#cookie === stale) this.#cookie = undefined;
  }

  #relogin(): Promise<string> {
    this.#login ??= this.#doLogin().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #doLogin(): Promise<string> {
    const { baseUrl, username, password, timeoutMs } = this.#options;
    this.logins++;
    const response = await fetch(`${baseUrl}/index.php?action=login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const cookie = response.headers.get('set-cookie')?.match(/PHPSESSID=[^;]+/)?.[0];
    // Success is a 302 with a session cookie; a wrong password re-renders the form with 200.
    if (response.status !== 302 || cookie === undefined)
      throw new Error(`legacy login failed (HTTP ${response.status})`);
    this.#cookie = cookie;
    return cookie;
  }
}
