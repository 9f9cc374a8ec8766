import { AppError, UpstreamError, type FieldError } from '@manifold/platform/errors';
import type { UpstreamPolicy } from '@manifold/platform/resilience';
import { DEFAULT_MAX_RESPONSE_BYTES } from '@manifold/platform/http';
import { networkCodeOf, wasNotSent } from '@manifold/platform/dead-letters';
import { decodeLegacyBody, legacyAnswerError, legacyError } from './legacy-client.ts';
import { SESSION_GONE, type LegacySession } from './legacy-session.ts';

export interface FormResult {
  /** Where the monolith redirected after the write (`index.php?action=ticket&id=…`). */
  location: string;
}

/**
 * Told what became of a write's POST: the dead-letter bookkeeping of a write that is not safe to
 * repeat (http/ambiguous-writes.ts). Only the POST counts — a login or a CSRF form fetch that
 * fails has written nothing.
 */
export interface WriteWatch {
  /** The POST is about to leave (again after a stale token or session: that one wrote nothing). */
  sending: () => void;
  /** The monolith said no (validation, not found, stale token, 4xx), or nothing left: nothing written. */
  refused: () => void;
  /**
   * Sent, then no clear answer (timeout, reset, 5xx, an error other than "not found", a page we
   * do not know): it may have written.
   */
  ambiguous: (failure: { error: string; status?: number; response?: string }) => Promise<void>;
}

/** How much of a failed answer a dead letter shows. */
const EXCERPT_CHARS = 500;

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
 * (legacy writes are not idempotent: the breaker and timeout still apply). With a `watch`, what
 * became of the POST is told to it: refused, or sent without a clear answer (a dead letter).
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

  /** The POST itself; a failure that may have left it acted on is told to `watch` as ambiguous. */
  const post = async (
    action: string,
    body: string,
    cookie: string,
    signal: AbortSignal,
    watch: WriteWatch | undefined,
  ): Promise<Response> => {
    watch?.sending();
    try {
      return await fetch(`${baseUrl}/index.php?action=${action}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (wasNotSent(error)) watch?.refused();
      else
        await watch?.ambiguous({
          error: signal.aborted
            ? 'timed out (request sent)'
            : `network error: ${networkCodeOf(error) ?? (error as Error).message}`,
        });
      throw error;
    }
  };

  const attempt = async (
    action: string,
    fields: Record<string, string>,
    pointers: Readonly<Record<string, string>>,
    signal: AbortSignal,
    watch: WriteWatch | undefined,
  ): Promise<FormResult> => {
    for (let tries = 0; ; tries++) {
      const cookie = await session.cookie();
      try {
        const csrf = await token(cookie, signal);
        const response = await post(
          action,
          new URLSearchParams({ ...fields, csrf_token: csrf }).toString(),
          cookie,
          signal,
          watch,
        );
        if (response.status >= 500) {
          // A 5xx after the form was posted: the monolith may have written before failing.
          const excerpt = await decodeLegacyBody(response, maxResponseBytes).catch(() => '');
          await watch?.ambiguous({
            error: `HTTP ${response.status}`,
            status: response.status,
            response: excerpt.slice(0, EXCERPT_CHARS),
          });
          throw await legacyAnswerError(response);
        }
        const location = response.headers.get('location');
        if (response.status === 302 && location) return { location };
        let text: string;
        try {
          text = await decodeLegacyBody(response, maxResponseBytes);
        } catch (error) {
          await watch?.ambiguous({ error: 'answer unreadable', status: response.status });
          throw error;
        }
        // The monolith's quirk: a stale token or session is HTTP 200 with an error page — not a
        // success, and nothing written.
        if (/Invalid form token/.test(text)) {
          tokens.delete(cookie);
          watch?.refused(); // nothing written; a retry is told `sending` again
          if (tries === 0) continue;
          throw new UpstreamError('UPSTREAM_ERROR', 'legacy', 'legacy refused a fresh form token', {
            transient: false,
          });
        }
        if (SESSION_GONE.test(text)) throw new SessionGone(cookie);
        // "Ticket not found" and the like: a 404 for the caller, not the monolith failing — and
        // nothing written. Any other error message (a database error…) may come after a write.
        const refusal = legacyJsonError(text);
        if (refusal !== undefined) {
          const error = legacyError(refusal);
          if (error.code === 'NOT_FOUND') watch?.refused();
          else
            await watch?.ambiguous({
              error: 'legacy answered with an error',
              status: response.status,
              response: text.slice(0, EXCERPT_CHARS),
            });
          throw error;
        }
        const errors = validationErrors(text, pointers);
        if (errors.length > 0) {
          watch?.refused();
          throw new AppError('UPSTREAM_REJECTED', 'The legacy system rejected the input', {
            errors,
          });
        }
        // A 4xx refused the form; any other page is one we do not know: it may have written.
        if (response.status >= 400 && response.status < 500) watch?.refused();
        else
          await watch?.ambiguous({
            error: `unexpected answer (HTTP ${response.status})`,
            status: response.status,
            response: text.slice(0, EXCERPT_CHARS),
          });
        throw new UpstreamError(
          'UPSTREAM_ERROR',
          'legacy',
          `legacy answered ${action} unexpectedly (HTTP ${response.status})`,
          { transient: false },
        );
      } catch (error) {
        // A stale session wrote nothing (if the form was posted at all).
        if (error instanceof SessionGone) watch?.refused();
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
      watch?: WriteWatch,
    ) =>
      policy.execute((signal) => attempt(action, fields, pointers, signal, watch), {
        idempotent: false,
      }),
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
