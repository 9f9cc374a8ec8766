import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import type { DeadLetters } from '../dead-letters/dead-letters.ts';
import { DeadLetterQuery, ReplayRequest } from '@manifold/platform/contracts';
import { DeadLetterParams } from '../schemas.ts';

/** `/api/v1/dead-letters`: list (filters, newest failure first, a page at a time), inspect (attempts, payload), replay one, replay by filter (dry run first). */
export function deadLetterRoutes(deadLetters: DeadLetters): Router {
  const router = Router();
  router.get('/dead-letters', async (req, res) => {
    const { limit, cursor, ...filter } = parseInput(DeadLetterQuery, req.query, { what: 'query' });
    res.json(await deadLetters.list(filter, { limit, cursor }));
  });
  router.post('/dead-letters/replay', async (req, res) => {
    const { filter, dryRun } = parseInput(ReplayRequest, req.body ?? {}, { what: 'body' });
    res.json(await deadLetters.replayMatching(filter, { dryRun }));
  });
  router.get('/dead-letters/:id', async (req, res) => {
    const { id } = parseInput(DeadLetterParams, req.params, { what: 'path' });
    res.json(await deadLetters.get(id));
  });
  router.post('/dead-letters/:id/replay', async (req, res) => {
    const { id } = parseInput(DeadLetterParams, req.params, { what: 'path' });
    res.status(202).json(await deadLetters.replay(id));
  });
  return router;
}
