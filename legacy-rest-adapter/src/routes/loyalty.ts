import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import { legacyPage } from '../clients/legacy-pages.ts';
import { versionOf } from '../http/versioning.ts';
import { LoyaltyParams } from '../schemas/loyalty.ts';
import { PageQuery } from '../schemas/params.ts';
import { legacyFailureResponses, problemResponse } from '../schemas/problem.ts';
import { resourceName, type RouteDeps } from './deps.ts';

// Points move with every purchase: a short TTL.
const TTL_SECONDS = 30;
const PAGE_PARAMS = Object.keys(PageQuery.shape);
const errors = {
  400: problemResponse('Invalid id, limit or cursor'),
  ...legacyFailureResponses,
};

/** Loyalty balance (legacy loyalty.php) and history (loyalty_history.php, XML). */
export function loyaltyRoutes({ legacy, resources, document, send }: RouteDeps): Router {
  const router = Router();
  router.get('/customers/:id/loyalty', async (req, res) => {
    const { id } = parseInput(LoyaltyParams, req.params, { what: 'customer id' });
    const { loyalty } = versionOf(res).representations;
    const read = await resources.read(
      `/customers/${id}/loyalty`,
      TTL_SECONDS,
      () => legacy.getJson(`loyalty.php?customer=${id}`),
      (legacy) => loyalty.render(legacy),
    );
    send(req, res, read.body, read);
  });
  router.get('/customers/:id/loyalty/history', async (req, res) => {
    const { id } = parseInput(LoyaltyParams, req.params, { what: 'customer id' });
    const { limit, cursor } = parseInput(PageQuery, req.query, { what: 'page' });
    const resource = resourceName(`/customers/${id}/loyalty/history`, req.query, PAGE_PARAMS);
    const { loyaltyHistory } = versionOf(res).representations;
    const read = await resources.read(
      resource,
      TTL_SECONDS,
      () =>
        legacyPage(legacy.getJson, {
          list: `customer:${id}:loyalty`,
          path: `loyalty_history.php?customer=${id}`,
          key: 'event',
          limit,
          cursor,
        }),
      (page) => loyaltyHistory.render(page),
    );
    send(req, res, read.body, read);
  });
  document.add({
    method: 'get',
    path: '/customers/{id}/loyalty',
    tags: ['loyalty'],
    summary: 'Loyalty balance',
    request: { params: LoyaltyParams },
    success: { status: 200, description: 'Balance', body: ({ loyalty }) => loyalty.schema },
    errors,
  });
  document.add({
    method: 'get',
    path: '/customers/{id}/loyalty/history',
    tags: ['loyalty'],
    summary: 'Loyalty history, oldest first',
    request: { params: LoyaltyParams, query: PageQuery },
    success: {
      status: 200,
      description: 'One page',
      body: ({ loyaltyHistory }) => loyaltyHistory.schema,
    },
    errors,
  });
  return router;
}
