import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import { legacyPage } from '../clients/legacy-pages.ts';
import type { LegacyReader } from '../clients/legacy-reader.ts';
import type { SendConditionalJson } from '../http/conditional-json.ts';
import { legacyDateTime, legacyInteger } from '../mapping/legacy-values.ts';
import { legacyFailureResponses, problemResponse } from '../schemas/problem.ts';
import { PageQuery } from '../schemas/invoices.ts';
import { Loyalty, LoyaltyHistory, LoyaltyParams } from '../schemas/loyalty.ts';

// Points move with every purchase: a short TTL.
const TTL_SECONDS = 30;
const errors = {
  400: problemResponse('Invalid id, limit or cursor'),
  ...legacyFailureResponses,
};

/** Loyalty balance (legacy loyalty.php) and history (loyalty_history.php, XML), the same in v1 and v2. */
export function loyaltyRoutes({
  reader,
  registry,
  sendConditionalJson,
}: {
  reader: LegacyReader;
  registry: OpenAPIRegistry;
  sendConditionalJson: SendConditionalJson;
}): Router {
  const router = Router();
  router.get('/customers/:id/loyalty', async (req, res) => {
    const { id } = parseInput(LoyaltyParams, req.params, { what: 'customer id' });
    const read = reader.forRequest(TTL_SECONDS);
    const body = await read.json(`loyalty.php?customer=${id}`);
    const loyalty = Loyalty.parse({
      customerId: id,
      balance: legacyInteger(body['balance'], 'loyalty.balance'),
      events: legacyInteger(body['events'], 'loyalty.events'),
    });
    sendConditionalJson(req, res, loyalty, read.freshness());
  });
  router.get('/customers/:id/loyalty/history', async (req, res) => {
    const { id } = parseInput(LoyaltyParams, req.params, { what: 'customer id' });
    const { limit, cursor } = parseInput(PageQuery, req.query, { what: 'page' });
    const read = reader.forRequest(TTL_SECONDS);
    const page = await legacyPage(
      read.json,
      {
        list: `customer:${id}:loyalty`,
        path: `loyalty_history.php?customer=${id}`,
        key: 'event',
        limit,
        cursor,
      },
      (event) => ({
        id: legacyInteger(event['id'], 'event.id'),
        points: legacyInteger(event['points'], 'event.points'),
        reason: String(event['reason']),
        at: legacyDateTime(event['date'], 'event.date') ?? new Date(0).toISOString(),
      }),
    );
    sendConditionalJson(req, res, LoyaltyHistory.parse(page), read.freshness());
  });
  for (const v of ['v1', 'v2'] as const) {
    const deprecated = v === 'v1' ? { deprecated: true } : {};
    registry.registerPath({
      method: 'get',
      path: `/api/${v}/customers/{id}/loyalty`,
      tags: ['loyalty'],
      summary: 'Loyalty balance',
      ...deprecated,
      request: { params: LoyaltyParams },
      responses: {
        200: { description: 'Balance', content: { 'application/json': { schema: Loyalty } } },
        ...errors,
      },
    });
    registry.registerPath({
      method: 'get',
      path: `/api/${v}/customers/{id}/loyalty/history`,
      tags: ['loyalty'],
      summary: 'Loyalty history, oldest first',
      ...deprecated,
      request: { params: LoyaltyParams, query: PageQuery },
      responses: {
        200: {
          description: 'One page',
          content: { 'application/json': { schema: LoyaltyHistory } },
        },
        ...errors,
      },
    });
  }
  return router;
}
