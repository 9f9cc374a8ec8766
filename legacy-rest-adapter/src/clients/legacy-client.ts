import { AppError, UpstreamError, upstreamAnswerError } from '@manifold/platform/errors';
import { DEFAULT_MAX_RESPONSE_BYTES, decodeText, readLimited } from '@manifold/platform/http';
import type { UpstreamPolicy } from '@manifold/platform/resilience';
import { SESSION_GONE, type LegacySession } from './legacy-session.ts';
import { legacyXmlToRecord } from './legacy-xml.ts';

export interface LegacyClientOptions {
  baseUrl: string;
  session: LegacySession;
  policy: UpstreamPolicy;
  /** The most of one legacy answer read (more is UPSTREAM_RESPONSE_TOO_LARGE). @default 10 MiB */
  maxResponseBytes?: number;
}

/**
 * The body in the charset the legacy app declares (ISO-8859-1 for some pages), read no further
 * than `maxBytes`.
 */
export async function decodeLegacyBody(response: Response, maxBytes: number): Promise<string> {
  const bytes = await readLimited(response.body, {
    upstream: 'legacy',
    maxBytes,
    declaredLength: response.headers.get('content-length'),
  });
  return decodeText(bytes, response.headers.get('content-type'));
}

/** A failed HTTP answer, as the shared normaliser reads it (5xx transient, Retry-After kept). */
export async function legacyAnswerError(response: Response): Promise<UpstreamError> {
  // Unread bodies are let go; one already read (a dead letter's excerpt) cannot be cancelled.
  if (!response.bodyUsed) await response.body?.cancel();
  const retryAfter = Number(response.headers.get('retry-after'));
  return upstreamAnswerError('legacy', {
    status: response.status,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  });
}

/**
 * `{"status":"error","msg":…}` (always HTTP 200) as a catalogue error. Only "not found" means
 * something to a client; any other message is the monolith's internals (database errors and the
 * like): it goes to the log as the cause, never into the answer.
 */
export function legacyError(message: string): AppError {
  if (/not found/i.test(message)) return new AppError('NOT_FOUND', message);
  return new UpstreamError('UPSTREAM_ERROR', 'legacy', 'legacy answered with an error', {
    transient: false,
    cause: new Error(`legacy said: ${message}`),
  });
}

/**
 * Reads from the monolith: logged in (re-logging in once if the session expired), decoded,
 * its "200 + status:error" bodies turned into catalogue errors, under the legacy policy
 * (timeout, breaker, retries — reads only).
 */
export function createLegacyClient({
  baseUrl,
  session,
  policy,
  maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
}: LegacyClientOptions) {
  const fetchJson = async (path: string, signal: AbortSignal): Promise<Record<string, unknown>> => {
    for (let attempt = 0; ; attempt++) {
      const cookie = await session.cookie();
      const response = await fetch(`${baseUrl}/${path}`, {
        headers: { cookie },
        redirect: 'manual',
        signal,
      });
      if (!response.ok) throw await legacyAnswerError(response);
      const text = await decodeLegacyBody(response, maxResponseBytes);
      // One page answers XML (a partner integration's); everything else JSON.
      if (response.headers.get('content-type')?.includes('xml'))
        return legacyXmlToRecord(text, path);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch (error) {
        throw new UpstreamError(
          'UPSTREAM_ERROR',
          'legacy',
          `legacy answered ${path} with something that is not JSON`,
          { transient: false, cause: error },
        );
      }
      if (body['status'] !== 'error') return body;
      const message = typeof body['msg'] === 'string' ? body['msg'] : 'unknown error';
      if (SESSION_GONE.test(message) && attempt === 0) {
        session.invalidate(cookie);
        continue;
      }
      throw legacyError(message);
    }
  };
  return {
    getJson: (path: string) =>
      policy.execute((signal) => fetchJson(path, signal), { idempotent: true }),
  };
}

export type LegacyClient = ReturnType<typeof createLegacyClient>;
