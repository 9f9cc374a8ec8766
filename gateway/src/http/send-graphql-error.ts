import { problemHeaders, toGraphQLError, type AppError } from '@manifold/platform/errors';
import { negotiatedResponseType } from '@manifold/platform/graphql';
import type { Request, Response } from 'express';

const JSON_TYPE = 'application/json';

/**
 * Answers a GraphQL request that middleware refused before Apollo saw it, as Apollo would have:
 * `{ errors: [{ message, extensions: { code, … } }] }` in the media type the client asked for,
 * the catalogue status (200 instead of 400 for `application/json` clients, as the GraphQL over
 * HTTP specification asks and useGraphQLOverHttp does for Apollo's own request errors), and the
 * error's headers (Retry-After…).
 */
export function sendGraphQLError(req: Request, res: Response, error: AppError): void {
  const type = negotiatedResponseType(req.headers.accept) ?? JSON_TYPE;
  let body = bodies.get(error);
  if (body === undefined) {
    body = JSON.stringify({ errors: [toGraphQLError(error).toJSON()] });
    bodies.set(error, body);
  }
  // `end`, not Express's `send`: no ETag (a SHA-1 of the body) for an answer nobody caches.
  res
    .status(type === JSON_TYPE && error.status === 400 ? 200 : error.status)
    .set(problemHeaders(error))
    .set('content-type', `${type}; charset=utf-8`)
    .end(body);
}

/** The same error sent again (a refusal answered to every request of a flood) is serialised once. */
const bodies = new WeakMap<AppError, string>();
