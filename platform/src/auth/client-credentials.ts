import type { Logger } from 'pino';
import { UpstreamError } from '../errors/index.ts';
import type { Secret } from './secrets.ts';

export interface ClientCredentialsOptions {
  /** The authorization server's token endpoint. */
  tokenUrl: string;
  clientId: string;
  clientSecret: Secret;
  /** Space-separated scopes to ask for. */
  scope?: string | undefined;
  /** RFC 8707 resource indicator (the API the token is for). */
  resource?: string | undefined;
  /**
   * A token is renewed this long before it expires; until then every call shares it. Renewal
   * starts in the background while the current token is still good. @default 30000 (30 s)
   */
  refreshBeforeExpiryMs?: number;
  /** Longest wait for the token endpoint. @default 5000 (5 s) */
  timeoutMs?: number;
  logger: Logger;
}

export interface ClientCredentials {
  /** A current access token: cached, renewed near expiry, one request at a time. */
  token(): Promise<string>;
  /**
   * `fetch` with the token as a bearer; a 401 gets one renewal and one retry (the upstream may
   * have revoked or rotated). The body must be re-sendable (a string or bytes).
   */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
}

interface Held {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  refreshAt: number;
}

/** The `upstream` of the UpstreamError a token request fails with (a caller can tell it from its own call's). */
export const TOKEN_ENDPOINT = 'token endpoint';
const UPSTREAM = TOKEN_ENDPOINT;

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) for calling an upstream: one token shared by every
 * call until shortly before it expires, renewed by a single request however many calls want it
 * (single-flight), and renewed once more after the upstream answers 401.
 * The client secret is sent in the Authorization header (client_secret_basic) and never logged.
 */
export function createClientCredentials({
  tokenUrl,
  clientId,
  clientSecret,
  scope,
  resource,
  refreshBeforeExpiryMs = 30_000,
  timeoutMs = 5_000,
  logger,
}: ClientCredentialsOptions): ClientCredentials {
  let held: Held | undefined;
  let inflight: Promise<Held> | undefined;

  const request = async (): Promise<Held> => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) form.set('scope', scope);
    if (resource) form.set('resource', resource);
    const basic = Buffer.from(
      `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret.value())}`,
    ).toString('base64');
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new UpstreamError('UPSTREAM_UNAVAILABLE', UPSTREAM, `${UPSTREAM} unreachable`, {
        transient: true,
        cause: error,
      });
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    };
    if (!response.ok || typeof body.access_token !== 'string') {
      logger.warn(
        { clientId, status: response.status, error: body.error },
        'upstream token request refused',
      );
      throw UpstreamError.fromStatus(UPSTREAM, response.ok ? 502 : response.status);
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 60) * 1_000;
    const now = Date.now();
    logger.debug({ clientId, expiresInMs: lifetimeMs }, 'upstream token obtained');
    return {
      token: body.access_token,
      expiresAt: now + lifetimeMs,
      // A token shorter-lived than the margin is renewed halfway through its life instead.
      refreshAt: now + Math.max(lifetimeMs - refreshBeforeExpiryMs, lifetimeMs / 2),
    };
  };

  const renew = (): Promise<Held> =>
    (inflight ??= request().then(
      (fresh) => {
        held = fresh;
        inflight = undefined;
        return fresh;
      },
      (error: unknown) => {
        inflight = undefined;
        throw error;
      },
    ));

  const token = async (): Promise<string> => {
    const now = Date.now();
    if (held && now < held.refreshAt) return held.token;
    if (held && now < held.expiresAt) {
      // Still good: use it, and renew in the background (failures are retried on the next call).
      renew().catch((error: unknown) => {
        logger.warn(
          { err: error, clientId },
          'upstream token renewal failed; retrying on next call',
        );
      });
      return held.token;
    }
    return (await renew()).token;
  };

  return {
    token,
    async fetch(url, init = {}) {
      const send = (bearer: string) => {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${bearer}`);
        return fetch(url, { ...init, headers });
      };
      const first = await token();
      const response = await send(first);
      if (response.status !== 401) return response;
      await response.body?.cancel();
      // Only the first of many concurrent 401s for this token drops it; the rest share the renewal.
      if (held?.token === first) held = undefined;
      const second = held?.token ?? (await renew()).token;
      return send(second);
    },
  };
}
