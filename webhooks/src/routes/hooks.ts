import express, { Router } from 'express';
import type { Receiver } from '../inbound/receiver.ts';

/** Largest inbound body: Stripe's and GitHub's events stay far below it. */
const BODY_LIMIT = '1mb';

/**
 * `POST /hooks/:source`: the body is kept as raw bytes — the signature is over exactly what
 * the sender sent, so nothing may parse or re-encode it first.
 */
export function hookRoutes(receive: Receiver): Router {
  const router = Router();
  router.post(
    '/hooks/:source',
    express.raw({ type: () => true, limit: BODY_LIMIT }),
    async (req, res) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const receipt = await receive(req.params.source, { headers: req.headers, rawBody });
      // Written as it is: Express's res.json would also hash it for an ETag and check freshness,
      // which no sender of a POST uses — per event, on the path every webhook takes.
      res
        .status(receipt.status)
        .setHeader('content-type', 'application/json; charset=utf-8')
        .end(JSON.stringify(receipt.body));
    },
  );
  return router;
}
