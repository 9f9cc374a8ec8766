import { createHash } from 'node:crypto';
import { createRepeatedFailureLog, type Logger } from '@manifold/platform/logging';
import type { Request, Response } from 'express';
import { ifNoneMatchNames } from './if-none-match.ts';
import type { CachedRead, ResourceCache } from './resource-cache.ts';
import { versionOf } from './versioning.ts';

/** Customer data may sit in the client's cache only (`private`), for as long as it is fresh. */
export const privateCacheControl = (freshForSeconds: number) =>
  `private, max-age=${freshForSeconds}`;

/**
 * Sends `body` (rendered from `read`) with a strong ETag over its exact bytes; `If-None-Match`
 * with that ETag gets 304 and no body. A fresh GET answer is also kept with its resource in the
 * cache, so the next identical GET is answered before routing (see resource-cache.ts).
 */
export function createConditionalJson(resources: ResourceCache, logger: Logger) {
  const notKept = createRepeatedFailureLog(logger, {
    message: 'could not keep a rendered answer; the next request renders it again',
  });
  return function sendConditionalJson(
    req: Request,
    res: Response,
    body: unknown,
    read: CachedRead<unknown>,
  ): void {
    const { status, ageSeconds, freshForSeconds } = read.freshness;
    const json = JSON.stringify(body);
    const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 32)}"`;
    res.setHeader('ETag', etag);
    res.setHeader(
      'Cache-Control',
      status === 'STALE' ? 'private, no-cache' : privateCacheControl(freshForSeconds),
    );
    res.setHeader('Age', String(ageSeconds));
    res.setHeader('X-Cache', status);
    res.type('application/json');
    if (req.method === 'GET') {
      resources
        .keep(res, read, { version: versionOf(res).version, body: json, etag })
        .catch((err: unknown) => {
          notKept.failed(err);
        });
    }
    if (ifNoneMatchNames(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    res.send(json);
  };
}

export type SendConditionalJson = ReturnType<typeof createConditionalJson>;
