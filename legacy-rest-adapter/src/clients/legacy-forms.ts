import { AppError, UpstreamError, type FieldError } from '@manifold/platform/errors';
import type { UpstreamPolicy } from '@manifold/platform/resilience';
import { legacyAnswerError } from './legacy-client.ts';
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
 * Writes through the monolith's HTML forms: fetch the form's CSRF token (cached per session),
 * POST it, read the outcome — 302 = done, the form again with errors = 422 with a pointer per field.
 * A stale token or session means nothing was written, so those are retried once; nothing else is
 * (legacy writes are not idempotent: the breaker and timeout still apply).
 */
export function createLegacyForms({
  baseUrl,
  session,
  policy,
}: {
  baseUrl: string;
  session: LegacySession;
  policy: UpstreamPolicy;
}) {
  const tokens = new Map<string, string>();

  const token = async (cookie: string, signal: AbortSignal): Promise<string> => {
    const known = tokens.get(cookie);
    if (known) return known;
    const form = await fetch(`${baseUrl}/index.php?action=ticket_new`, {
      headers: { cookie },
      signal,
    });
    const html = await form.text();
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
        const text = await response.text();
        if (/Invalid form token/.test(text)) {
          tokens.delete(cookie);
          if (tries === 0) continue;
        }
        if (SESSION_GONE.test(text)) throw new SessionGone(cookie);
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
