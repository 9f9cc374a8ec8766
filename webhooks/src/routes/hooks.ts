import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { Router, type NextFunction } from 'express';
import type { Receipt, Receiver } from '../inbound/receiver.ts';

export const HOOKS_ROUTE = '/hooks/:source';

/** Largest inbound body: Stripe's and GitHub's events stay far below it. */
export const HOOKS_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * A receipt as every sender gets it. Written as it is: Express's res.json would also hash it for
 * an ETag and check freshness, which no sender of a POST uses — per event, on the path every
 * webhook takes.
 */
export function writeReceipt(res: ServerResponse, receipt: Receipt): void {
  res.statusCode = receipt.status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(receipt.body));
}

/**
 * `POST /hooks/:source`: the body is kept as raw bytes — the signature is over exactly what
 * the sender sent, so nothing may parse or re-encode it first. Most requests are answered ahead
 * of the app (hooks-ahead.ts); this route answers the rest — and refuses, with its error, a
 * request that failed there (`failedAhead`), whose body is already read.
 */
export function hookRoutes(
  receive: Receiver,
  failedAhead: (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void,
): Router {
  const router = Router();
  router.post(
    HOOKS_ROUTE,
    failedAhead,
    express.raw({ type: () => true, limit: HOOKS_BODY_LIMIT_BYTES }),
    async (req, res) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      writeReceipt(res, await receive(req.params.source, { headers: req.headers, rawBody }));
    },
  );
  return router;
}
