import { createHash } from 'node:crypto';
import { ifNoneMatchNames } from './if-none-match.ts';
import type { RepresentationCache } from './representation-cache.ts';
import type { Logger } from '@manifold/platform/logging';
import type { Request, Response } from 'express';
import type { Freshness } from '../clients/legacy-reader.ts';

/** Customer data may sit in the client's cache only (`private`), for as long as it is fresh. */
export const privateCacheControl = (freshForSeconds: number) =>
  `private, max-age=${freshForSeconds}`;

/**
 * Sends `body` with a strong ETag over its exact bytes; `If-None-Match` with that ETag gets 304
 * and no body. A fresh answer is also kept in the representation cache, so the next identical
 * GET is answered before routing (see platform's representation-cache).
 */
export function createConditionalJson(representations: RepresentationCache, logger: Logger) {
  return function sendConditionalJson(
    req: Request,
    res: Response,
    body: unknown,
    freshness: Freshness,
  ): void {
    const json = JSON.stringify(body);
    const etag = `"${createHash('sha256').update(json).digest('base64url').slice(0, 32)}"`;
    res.setHeader('ETag', etag);
    res.setHeader(
      'Cache-Control',
      freshness.status === 'STALE'
        ? 'private, no-cache'
        : privateCacheControl(freshness.freshForSeconds),
    );
    res.setHeader('Age', String(freshness.ageSeconds));
    res.setHeader('X-Cache', freshness.status);
    res.type('application/json');
    if (freshness.status !== 'STALE') {
      representations
        .store(req, res, {
          body: json,
          etag,
          ageSeconds: freshness.ageSeconds,
          freshForSeconds: freshness.freshForSeconds,
        })
        .catch((err: unknown) => {
          logger.warn(
            { err },
            'could not keep a rendered answer; the next request renders it again',
          );
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
