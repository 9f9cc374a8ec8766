import { AppError } from '@manifold/platform/errors';
import type { RequestHandler } from 'express';

export const VERSIONS = ['1', '2'] as const;
export type Version = (typeof VERSIONS)[number];
const LATEST: Version = '2';

/** The version an `API-Version` header asks for (`2`, `v2`; absent: the latest), or undefined if we do not serve it. */
export function requestedVersion(header: string | string[] | undefined): Version | undefined {
  const version = typeof header === 'string' ? header.trim().replace(/^v/i, '') : LATEST;
  return VERSIONS.find((known) => known === version);
}

/**
 * `/api/<path>` without a version in the URL is routed by the `API-Version` header (default: the
 * latest), so `/api/v1/x`, `/api/v2/x` and `/api/x` + `API-Version: 1` all work.
 */
export function versionFromHeader(): RequestHandler {
  return (req, _res, next) => {
    if (/^\/v\d+(\/|$)/.test(req.url)) {
      next();
      return;
    }
    const version = requestedVersion(req.headers['api-version']);
    if (version === undefined) {
      throw new AppError('BAD_USER_INPUT', `API-Version must be one of ${VERSIONS.join(', ')}`, {
        errors: [{ pointer: '/headers/api-version', detail: 'unknown version' }],
      });
    }
    req.url = `/v${version}${req.url}`;
    next();
  };
}

/** v1 still works, and says it will not forever (RFC 9745 Deprecation, RFC 8594 Sunset, successor link). */
export function deprecationHeaders({
  deprecatedSince,
  sunset,
}: {
  deprecatedSince: Date;
  sunset: Date;
}): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Deprecation', `@${Math.floor(deprecatedSince.getTime() / 1000)}`);
    res.setHeader('Sunset', sunset.toUTCString());
    res.setHeader('Link', `</api/v2${req.path}>; rel="successor-version"`);
    next();
  };
}
