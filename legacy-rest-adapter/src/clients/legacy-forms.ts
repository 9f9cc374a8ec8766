import { AppError, UpstreamError, type FieldError } from '@manifold/platform/errors';
import type { UpstreamPolicy } from '@manifold/platform/resilience';
import { DEFAULT_MAX_RESPONSE_BYTES } from '@manifold/platform/http';
import { decodeLegacyBody, legacyAnswerError, legacyError } from './legacy-client.ts';
import { SESSION_GONE, type LegacySession } from './legacy-session.ts';

export interface FormResult {
  /** Where the monolith redirected after the write (`index.php?action=ticket&id=…`). */
  location: string;
}

/** `<li data-field="subject">Subject is required</li>` from a re-rendered legacy form. */
function validationErrors(html: string, pointers: Readonly<Record<string, string>>): FieldError[] {
  return [...html.matchAll(/<li data-field="([\w-]+)">([^<]*)<\/li>/g)].map(
    ([, field = '', message = '']) => ({
      pointer: pointers[field] ?? `/${field}`,
      detail: message.replaceAll('&quot;', '"').replaceAll('&#039;', "'").replaceAll('&amp;', '&'),
    }),
  );
}

/**
 * The monolith's `{"status":"error","msg":…}` (sent as text/html, HTTP 200) when a form action
 * fails before its form is even looked at — e.g. "Ticket not found" for a ticket that does not
 * exist: the message, or undefined when the page is anything else.
 */
function legacyJsonError(text: string): string | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const body = JSON.parse(text) as { status?: unknown; msg?: unknown };
    if (body.status !== 'error') return undefined;
    return typeof body.msg === 'string' ? body.msg : 'unknown error';
  } catch {
    return undefined;
  }
}

/**
 * Writes through the monolith's HTML forms: fetch the form's CSRF token (cached per session),
 * POST it, read the outcome — 302 = done, the form again with errors = 422 with a pointer per field.
 * A stale token or session means nothing was written, so those are retried once; nothing else is
 * (legacy writes are not idempotent: the breaker and timeout still apply).
 */
export function createLegacyForms({
  baseUrl,
  session,
  policy,
  maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
}: {
  baseUrl: string;
  session: LegacySession;
  policy: UpstreamPolicy;
  /** The most of one legacy answer read (more is UPSTREAM_RESPONSE_TOO_LARGE). @default 10 MiB */
  maxResponseBytes?: number;
}) {
  const tokens = new Map<string, string>();

  const token = async (cookie: string, signal: AbortSignal): Promise<string> => {
    const known = tokens.get(cookie);
    if (known) return known;
    const form = await fetch(`${baseUrl}/index.php?action=ticket_new`, {
      headers: { cookie },
      signal,
    });
    const html = await decodeLegacyBody(form, maxResponseBytes);
    const found = /name="csrf_token" value="([a-f0-9]+)"/.exec(html)?.[1];
    if (!found) {
      if (SESSION_GONE.test(html)) throw new SessionGone(cookie);
      throw new UpstreamError('UPSTREAM_ERROR', 'legacy', 'legacy form carries no CSRF token', {
        transient: false,
      });
    }
    tokens.set(cookie, found);
    return found;
  };

  const attempt = async (
    action: string,
    fields: Record<string, string>,
    pointers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<FormResult> => {
    for (let tries = 0; ; tries++) {
      const cookie = await session.cookie();
      try {
        const csrf = await token(cookie, signal);
        const response = await fetch(`${baseUrl}/index.php?action=${action}`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...fields, csrf_token: csrf }).toString(),
          redirect: 'manual',
          signal,
        });
        if (response.status >= 500) throw await legacyAnswerError(response);
        const location = response.headers.get('location');
        if (response.status === 302 && location) return { location };
        const text = await decodeLegacyBody(response, maxResponseBytes);
        if (/Invalid form token/.test(text)) {
          tokens.delete(cookie);
          if (tries === 0) continue;
        }
        if (SESSION_GONE.test(text)) throw new SessionGone(cookie);
        // "Ticket not found" and the like: a 404 for the caller, not the monolith failing.
        const refusal = legacyJsonError(text);
        if (refusal !== undefined) throw legacyError(refusal);
        const errors = validationErrors(text, pointers);
        if (errors.length > 0)
          throw new AppError('UPSTREAM_REJECTED', 'The legacy system rejected the input', {
            errors,
          });
        throw new UpstreamError(
          'UPSTREAM_ERROR',
          'legacy',
          `legacy answered ${action} unexpectedly (HTTP ${response.status})`,
          { transient: false },
        );
      } catch (error) {
        if (error instanceof SessionGone && tries === 0) {
          session.invalidate(error.cookie);
          tokens.delete(error.cookie);
          continue;
        }
        throw error;
      }
    }
  };

  return {
    submit: (
      action: string,
      fields: Record<string, string>,
      pointers: Readonly<Record<string, string>> = {},
    ) =>
      policy.execute((signal) => attempt(action, fields, pointers, signal), { idempotent: false }),
  };
}

class SessionGone extends Error {
  override name = 'SessionGone';
  readonly cookie: string;
  constructor(cookie: string) {
    super('legacy session expired');
    this.cookie = cookie;
  }
}

export type LegacyForms = ReturnType<typeof createLegacyForms>;
