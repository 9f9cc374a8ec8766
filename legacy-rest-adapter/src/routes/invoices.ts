import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import { legacyPage } from '../clients/legacy-pages.ts';
import { versionOf } from '../http/versioning.ts';
import type { Legacy } from '../representations.ts';
import { CustomerInvoicesParams, InvoiceIdParams } from '../schemas/invoices.ts';
import { PageQuery } from '../schemas/params.ts';
import { legacyFailureResponses, problemResponse } from '../schemas/problem.ts';
import { resourceName, type RouteDeps } from './deps.ts';

// Issued invoices rarely change (payment status does): 5 minutes; lists see new invoices within a minute.
const INVOICE_TTL_SECONDS = 300;
const LIST_TTL_SECONDS = 60;
const PAGE_PARAMS = Object.keys(PageQuery.shape);

const errors = {
  400: problemResponse('Invalid id, limit or cursor'),
  404: problemResponse('No such invoice'),
  ...legacyFailureResponses,
};

/** A customer's invoices (cursor pages) and one invoice with lines and totals, in every version. */
export function invoiceRoutes({ legacy, resources, document, send }: RouteDeps): Router {
  const router = Router();
  router.get('/customers/:id/invoices', async (req, res) => {
    const { id } = parseInput(CustomerInvoicesParams, req.params, { what: 'customer id' });
    const { limit, cursor } = parseInput(PageQuery, req.query, { what: 'page' });
    const resource = resourceName(`/customers/${id}/invoices`, req.query, PAGE_PARAMS);
    const { invoicePage } = versionOf(res).representations;
    const read = await resources.read(
      resource,
      LIST_TTL_SECONDS,
      () =>
        legacyPage(legacy.getJson, {
          list: `customer:${id}:invoices`,
          path: `index.php?action=invoices&customer_id=${id}`,
          key: 'invoices',
          limit,
          cursor,
        }),
      (page) => invoicePage.render(page),
    );
    send(req, res, read.body, read);
  });
  router.get('/invoices/:id', async (req, res) => {
    const { id } = parseInput(InvoiceIdParams, req.params, { what: 'invoice id' });
    const { invoice } = versionOf(res).representations;
    const read = await resources.read(
      `/invoices/${id}`,
      INVOICE_TTL_SECONDS,
      () => legacy.getJson(`index.php?action=invoice&id=${id}`),
      (legacy) => invoice.render(legacy['invoice'] as Legacy),
    );
    send(req, res, read.body, read);
  });
  document.add({
    method: 'get',
    path: '/customers/{id}/invoices',
    tags: ['invoices'],
    summary: "A customer's invoices, oldest first",
    request: { params: CustomerInvoicesParams, query: PageQuery },
    success: {
      status: 200,
      description: 'One page',
      body: ({ invoicePage }) => invoicePage.schema,
    },
    errors,
  });
  document.add({
    method: 'get',
    path: '/invoices/{id}',
    tags: ['invoices'],
    summary: 'An invoice with lines and totals',
    request: { params: InvoiceIdParams },
    success: { status: 200, description: 'The invoice', body: ({ invoice }) => invoice.schema },
    errors,
  });
  return router;
}
