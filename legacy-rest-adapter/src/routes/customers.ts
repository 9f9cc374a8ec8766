import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import { versionOf } from '../http/versioning.ts';
import type { Legacy } from '../representations.ts';
import { CustomerIdParams } from '../schemas/customers.ts';
import { legacyFailureResponses, problemResponse } from '../schemas/problem.ts';
import type { RouteDeps } from './deps.ts';

/** Customer records change rarely; a minute of caching takes the load off the monolith. */
const TTL_SECONDS = 60;

/** GET /customers/:id, in every version; documented from the same zod schemas. */
export function customerRoutes({ legacy, resources, document, send }: RouteDeps): Router {
  const router = Router();
  router.get('/customers/:id', async (req, res) => {
    const { id } = parseInput(CustomerIdParams, req.params, { what: 'customer id' });
    const { customer } = versionOf(res).representations;
    const read = await resources.read(
      `/customers/${id}`,
      TTL_SECONDS,
      () => legacy.getJson(`index.php?action=customer&id=${id}`),
      (legacy) => customer.render(legacy['customer'] as Legacy),
    );
    send(req, res, read.body, read);
  });
  document.add({
    method: 'get',
    path: '/customers/{id}',
    tags: ['customers'],
    summary: 'A customer',
    request: { params: CustomerIdParams },
    success: { status: 200, description: 'The customer', body: ({ customer }) => customer.schema },
    errors: {
      400: problemResponse('Invalid id'),
      404: problemResponse('No such customer'),
      ...legacyFailureResponses,
    },
  });
  return router;
}
