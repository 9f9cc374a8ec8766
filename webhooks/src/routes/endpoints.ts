import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import type { EndpointStates } from '../outbound/endpoint-states.ts';
import { EndpointParams } from '../schemas.ts';

/** `/api/v1/endpoints`: each registered endpoint's state (disabled, why, since when); enable one again. */
export function endpointRoutes(endpoints: Pick<EndpointStates, 'list' | 'enable'>): Router {
  const router = Router();
  router.get('/endpoints', async (_req, res) => {
    res.json({ items: await endpoints.list() });
  });
  router.post('/endpoints/:name/enable', async (req, res) => {
    const { name } = parseInput(EndpointParams, req.params, { what: 'path' });
    res.json(await endpoints.enable(name));
  });
  return router;
}
