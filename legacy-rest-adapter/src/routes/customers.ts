import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import type { LegacyReader, RequestReader } from '../clients/legacy-reader.ts';
import type { SendConditionalJson } from '../http/conditional-json.ts';
import { toCustomerV1, toCustomerV2 } from '../mapping/customers.ts';
import { CustomerIdParams, CustomerV1, CustomerV2 } from '../schemas/customers.ts';
import { legacyFailureResponses, problemResponse } from '../schemas/problem.ts';

const errors = {
  400: problemResponse('Invalid id'),
  404: problemResponse('No such customer'),
  ...legacyFailureResponses,
};

/** GET /customers/:id in both versions; documented in `registry` from the same zod schemas. */
export function customerRoutes({
  reader,
  registry,
  sendConditionalJson,
}: {
  reader: LegacyReader;
  registry: OpenAPIRegistry;
  sendConditionalJson: SendConditionalJson;
}): { v1: Router; v2: Router } {
  /** Customer records change rarely; a minute of caching takes the load off the monolith. */
  const TTL_SECONDS = 60;
  const load = async (read: RequestReader, rawParams: unknown) => {
    const { id } = parseInput(CustomerIdParams, rawParams, { what: 'customer id' });
    const body = await read.json(`index.php?action=customer&id=${id}`);
    return body['customer'] as Record<string, unknown>;
  };
  const v1 = Router();
  const v2 = Router();
  v1.get('/customers/:id', async (req, res) => {
    const read = reader.forRequest(TTL_SECONDS);
    const customer = CustomerV1.parse(toCustomerV1(await load(read, req.params)));
    sendConditionalJson(req, res, customer, read.freshness());
  });
  v2.get('/customers/:id', async (req, res) => {
    const read = reader.forRequest(TTL_SECONDS);
    const customer = CustomerV2.parse(toCustomerV2(await load(read, req.params)));
    sendConditionalJson(req, res, customer, read.freshness());
  });
  for (const [version, schema] of [
    ['v1', CustomerV1],
    ['v2', CustomerV2],
  ] as const) {
    registry.registerPath({
      method: 'get',
      path: `/api/${version}/customers/{id}`,
      tags: ['customers'],
      summary: 'A customer',
      ...(version === 'v1' ? { deprecated: true } : {}),
      request: { params: CustomerIdParams },
      responses: {
        200: { description: 'The customer', content: { 'application/json': { schema } } },
        ...errors,
      },
    });
  }
  return { v1, v2 };
}
