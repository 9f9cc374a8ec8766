import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { parseInput } from '@manifold/platform/errors';
import { Router } from 'express';
import type { z } from 'zod';
import type { LegacyReader } from '../clients/legacy-reader.ts';
import type { SendConditionalJson } from '../http/conditional-json.ts';
import { legacyPage } from '../clients/legacy-pages.ts';
import {
  toInvoiceSummaryV1,
  toInvoiceSummaryV2,
  toInvoiceV1,
  toInvoiceV2,
} from '../mapping/invoices.ts';
import {
  CustomerInvoicesParams,
  InvoiceIdParams,
  InvoicePageV1,
  InvoicePageV2,
  InvoiceV1,
  InvoiceV2,
  PageQuery,
} from '../schemas/invoices.ts';
import { legacyFailureResponses, problemResponse } from '../schemas/problem.ts';

// Issued invoices rarely change (payment status does): 5 minutes; lists see new invoices within a minute.
const INVOICE_TTL_SECONDS = 300;
const LIST_TTL_SECONDS = 60;

const errors = {
  400: problemResponse('Invalid id, limit or cursor'),
  404: problemResponse('No such invoice'),
  ...legacyFailureResponses,
};

interface VersionShape<Summary, Full> {
  list: z.ZodType;
  one: z.ZodType;
  summary: (row: Record<string, unknown>) => Summary;
  full: (row: Record<string, unknown>) => Full;
}

/** A customer's invoices (cursor pages) and one invoice with lines and totals, in v1 and v2. */
export function invoiceRoutes({
  reader,
  registry,
  sendConditionalJson,
}: {
  reader: LegacyReader;
  registry: OpenAPIRegistry;
  sendConditionalJson: SendConditionalJson;
}): { v1: Router; v2: Router } {
  const build = <Summary, Full>(
    version: 'v1' | 'v2',
    { list, one, summary, full }: VersionShape<Summary, Full>,
  ): Router => {
    const router = Router();
    router.get('/customers/:id/invoices', async (req, res) => {
      const { id } = parseInput(CustomerInvoicesParams, req.params, { what: 'customer id' });
      const { limit, cursor } = parseInput(PageQuery, req.query, { what: 'page' });
      const read = reader.forRequest(LIST_TTL_SECONDS);
      const page = await legacyPage(
        read.json,
        {
          list: `customer:${id}:invoices`,
          path: `index.php?action=invoices&customer_id=${id}`,
          key: 'invoices',
          limit,
          cursor,
        },
        summary,
      );
      sendConditionalJson(req, res, list.parse(page), read.freshness());
    });
    router.get('/invoices/:id', async (req, res) => {
      const { id } = parseInput(InvoiceIdParams, req.params, { what: 'invoice id' });
      const read = reader.forRequest(INVOICE_TTL_SECONDS);
      const body = await read.json(`index.php?action=invoice&id=${id}`);
      sendConditionalJson(
        req,
        res,
        one.parse(full(body['invoice'] as Record<string, unknown>)),
        read.freshness(),
      );
    });
    const deprecated = version === 'v1' ? { deprecated: true } : {};
    registry.registerPath({
      method: 'get',
      path: `/api/${version}/customers/{id}/invoices`,
      tags: ['invoices'],
      summary: "A customer's invoices, oldest first",
      ...deprecated,
      request: { params: CustomerInvoicesParams, query: PageQuery },
      responses: {
        200: { description: 'One page', content: { 'application/json': { schema: list } } },
        ...errors,
      },
    });
    registry.registerPath({
      method: 'get',
      path: `/api/${version}/invoices/{id}`,
      tags: ['invoices'],
      summary: 'An invoice with lines and totals',
      ...deprecated,
      request: { params: InvoiceIdParams },
      responses: {
        200: { description: 'The invoice', content: { 'application/json': { schema: one } } },
        ...errors,
      },
    });
    return router;
  };
  return {
    v1: build('v1', {
      list: InvoicePageV1,
      one: InvoiceV1,
      summary: toInvoiceSummaryV1,
      full: toInvoiceV1,
    }),
    v2: build('v2', {
      list: InvoicePageV2,
      one: InvoiceV2,
      summary: toInvoiceSummaryV2,
      full: toInvoiceV2,
    }),
  };
}
