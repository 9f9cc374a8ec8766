import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Freshness } from '../clients/legacy-reader.ts';

/** Whether `If-None-Match` names `etag` (or `*`). */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const value = candidate.trim();
    return value === '*' || value === etag || value === `W/${etag}`;
  });
}

/**
 * Sends `body` with a strong ETag over its exact bytes; `If-None-Match` with that ETag gets 304
 * and no body. Customer data may sit in the client's cache only (`private`), as long as it is fresh.
 */
export function sendConditionalJson(
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
      : `private, max-age=${freshness.freshForSeconds}`,
  );
  res.setHeader('Age', String(freshness.ageSeconds));
  res.setHeader('X-Cache', freshness.status);
  if (matches(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(json);
}
