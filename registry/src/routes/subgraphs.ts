import { callerOf } from '@manifold/platform/contracts';
import { AppError, parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import { publisherOf } from '../http/access.ts';
import { CheckBody, PublishBody, SubgraphParams } from '../schemas/requests.ts';
import type { RouteDeps } from './deps.ts';
import { summaryOf } from './supergraph.ts';

/** The subgraphs of the current version; check and publish one. */
export function subgraphRoutes({ registry, watch }: RouteDeps): Router {
  const router = Router();

  router.get('/subgraphs', async (_req, res) => {
    const latest = await watch.latest();
    res.json({
      subgraphs: (latest?.subgraphs ?? []).map(({ name, url }) => ({
        name,
        url,
        version: latest?.version,
      })),
    });
  });

  router.get('/subgraphs/:name', async (req, res) => {
    const { name } = parseInput(SubgraphParams, req.params, { what: 'subgraph name' });
    const latest = await watch.latest();
    const found = latest?.subgraphs.find((subgraph) => subgraph.name === name);
    if (!latest || !found) throw new AppError('NOT_FOUND', `No subgraph ${JSON.stringify(name)}`);
    res.json({ ...found, version: latest.version });
  });

  // A check that ran answers 200, passed or not: the report says which.
  router.post('/subgraphs/:name/check', async (req, res) => {
    const { name } = parseInput(SubgraphParams, req.params, { what: 'subgraph name' });
    const { sdl, url } = parseInput(CheckBody, req.body, { what: 'check request' });
    res.json(await registry.check({ subgraph: name, sdl, url }));
  });

  router.post('/subgraphs/:name/publish', async (req, res) => {
    const { name } = parseInput(SubgraphParams, req.params, { what: 'subgraph name' });
    const { sdl, url, force } = parseInput(PublishBody, req.body, { what: 'publish request' });
    const result = await registry.publish({
      subgraph: name,
      sdl,
      url,
      force,
      publishedBy: publisherOf(callerOf(req)),
    });
    res.status(result.published ? 201 : 200).json({
      published: result.published,
      version: result.version ? summaryOf(result.version, watch.current) : null,
      check: result.check,
    });
  });

  return router;
}
