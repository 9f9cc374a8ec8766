import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import type { DestinationStates } from '../delivery/destination-states.ts';
import { DestinationParams } from '../schemas.ts';

/** `/api/v1/destinations`: each destination's state (active, breaker open, paused and why, held until when); resume one. */
export function destinationRoutes(
  destinations: Pick<DestinationStates, 'list' | 'resume'>,
): Router {
  const router = Router();
  router.get('/destinations', async (_req, res) => {
    res.json({ items: await destinations.list() });
  });
  router.post('/destinations/:name/resume', async (req, res) => {
    const { name } = parseInput(DestinationParams, req.params, { what: 'path' });
    res.json(await destinations.resume(name));
  });
  return router;
}
