import type { Authenticate } from '@manifold/platform/auth';
import { setCaller } from '@manifold/platform/contracts';
import { normalizeError, problemHeaders } from '@manifold/platform/errors';
import type { ServerPlugin } from '@manifold/platform/graphql';
import type { RequestHandler, Response } from 'express';
import type { GatewayContext } from '../context.ts';

/**
 * Who is calling — an OIDC access token, an API key or a client certificate (platform/auth) —
 * recorded on the request for everything after it (authorization, limits, usage). No credential
 * is fine (anonymous callers see the public part of the graph); a bad one is refused at once:
 * 401 with `WWW-Authenticate: Bearer error="invalid_token"` and a GraphQL error coded
 * UNAUTHENTICATED, never a partial answer as someone else.
 */
export function useAuthentication({
  authenticate,
}: {
  authenticate: Authenticate;
}): ServerPlugin<GatewayContext> {
  const refuse = (res: Response, error: unknown, next: (error: unknown) => void) => {
    const appError = normalizeError(error);
    if (!appError) {
      next(error);
      return;
    }
    res
      .status(appError.status)
      .set(problemHeaders(appError))
      .json({ errors: [{ message: appError.message, extensions: { code: appError.code } }] });
  };
  const middleware: RequestHandler = (req, res, next) => {
    try {
      const caller = authenticate(req);
      if (caller instanceof Promise) {
        caller.then(
          (found) => {
            setCaller(req, found);
            next();
          },
          (error: unknown) => {
            refuse(res, error, next);
          },
        );
        return;
      }
      setCaller(req, caller);
      next();
    } catch (error) {
      refuse(res, error, next);
    }
  };
  return { name: 'authentication', http: [middleware] };
}
