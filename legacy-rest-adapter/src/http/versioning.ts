import { Header } from '@manifold/platform/contracts';
import { AppError } from '@manifold/platform/errors';
import type { RequestHandler, Response } from 'express';
import { serveVersions, type ApiVersionRow, type ServedVersion } from './version-table.ts';

/** Where a request to the API points: which version, and the resource (its path and query under it). */
export interface Located {
  /** Undefined when the request names a version we do not serve. */
  version: ServedVersion | undefined;
  /** `/customers/7?x=1` for `/api/v2/customers/7?x=1` and for `/api/customers/7?x=1`. */
  resource: string;
  /** Where the version came from: the path, the API-Version header, or neither (the current one). */
  namedIn: 'path' | 'header' | 'default';
}

const VERSION_IN_PATH = /^\/v([1-9]\d*)(?=[/?]|$)/;
// The version select() settled, per request.
const settled = new WeakMap<Response, ServedVersion>();

/**
 * Everything that needs to know "which version is this", read from the version table: resolving a
 * request, the version's answer headers, the URL of a resource in a version.
 */
export function createVersioning(rows: readonly ApiVersionRow[]) {
  const { served, current } = serveVersions(rows);
  const byNumber = new Map(served.map((version) => [String(version.version), version]));
  const names = served.map((version) => String(version.version));

  /** `/api/v<n>/x` and `/api/x` + `API-Version: <n>` (`2` or `v2`; none: the current version). */
  function locate(url: string, apiVersion: string | string[] | undefined): Located | undefined {
    if (!url.startsWith('/api/')) return undefined;
    const rest = url.slice('/api'.length);
    const inPath = VERSION_IN_PATH.exec(rest);
    if (inPath) {
      const resource = rest.slice(inPath[0].length);
      return {
        version: byNumber.get(inPath[1] ?? ''),
        resource: resource.startsWith('/') ? resource : `/${resource}`,
        namedIn: 'path',
      };
    }
    if (typeof apiVersion !== 'string')
      return { version: current, resource: rest, namedIn: 'default' };
    return {
      version: byNumber.get(apiVersion.trim().replace(/^v/i, '')),
      resource: rest,
      namedIn: 'header',
    };
  }

  /** The version's answer headers: RFC 9745 Deprecation, RFC 8594 Sunset, the successor's Link. */
  function announce(res: Response, version: ServedVersion, path: string): void {
    const { deprecation } = version;
    if (deprecation === undefined) return;
    res.setHeader('Deprecation', `@${Math.floor(deprecation.since.getTime() / 1000)}`);
    res.setHeader('Sunset', deprecation.sunset.toUTCString());
    res.setHeader('Link', `<${urlOf(deprecation.successor, path)}>; rel="successor-version"`);
  }

  /** `/api/v<version><path>`. */
  const urlOf = (version: number, path: string) => `/api/v${version}${path}`;

  return {
    served,
    current,
    /** The version numbers, as the API-Version header names them. */
    names,
    locate,
    urlOf,

    /**
     * In front of the API's one router: settles the version (an unknown one in the path is a 404,
     * in the header a 400), announces it, and routes on the resource alone (`req.url` without it).
     */
    select(): RequestHandler {
      return (req, res, next) => {
        const located = locate(req.originalUrl, req.headers[Header.apiVersion]);
        if (located?.version === undefined) {
          if (located?.namedIn === 'header')
            throw new AppError('BAD_USER_INPUT', `API-Version must be one of ${names.join(', ')}`, {
              errors: [{ pointer: `/headers/${Header.apiVersion}`, detail: 'unknown version' }],
            });
          next('router'); // no such version in the path: no such resource
          return;
        }
        settled.set(res, located.version);
        req.url = located.resource;
        announce(res, located.version, req.path);
        next();
      };
    },
  };
}

export type Versioning = ReturnType<typeof createVersioning>;

/** The version `select()` settled for this request. */
export function versionOf(res: Response): ServedVersion {
  const version = settled.get(res);
  if (version === undefined) throw new Error('versionOf: the request did not pass select()');
  return version;
}
