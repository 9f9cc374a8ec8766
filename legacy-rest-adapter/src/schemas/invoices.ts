import { z } from 'zod';
import { idParams } from './params.ts';

const decimal = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .meta({ description: 'Decimal with 2 places', example: '123.40' });
const Money = z
  .object({ amount: decimal, currency: z.string().length(3).meta({ example: 'EUR' }) })
  .meta({ id: 'Money' });

export const InvoiceIdParams = idParams('Invoice id', 500);
export const CustomerInvoicesParams = idParams('Customer id', 7);

const summary = {
  id: z.number().int(),
  number: z.string(),
  issuedAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  paid: z.boolean(),
  paidAt: z.iso.datetime().nullable(),
};
const line = {
  sku: z.string(),
  description: z.string(),
  quantity: z.number().int(),
  vatRate: z.number().int(),
};
const pageInfo = z
  .object({ limit: z.number().int(), total: z.number().int(), nextCursor: z.string().nullable() })
  .meta({ id: 'PageInfo' });

/** v1: money as a decimal string in the invoice's currency (deprecated). */
export const InvoiceSummaryV1 = z
  .object({ ...summary, currency: z.string(), net: decimal })
  .meta({ id: 'InvoiceSummaryV1' });
export const InvoiceV1 = z
  .object({
    ...summary,
    customerId: z.number().int(),
    currency: z.string(),
    net: decimal,
    vat: decimal,
    gross: decimal,
    lines: z.array(z.object({ ...line, unitPrice: decimal })),
  })
  .meta({ id: 'InvoiceV1' });
export const InvoicePageV1 = z
  .object({ data: z.array(InvoiceSummaryV1), page: pageInfo })
  .meta({ id: 'InvoicePageV1' });

/** v2: money as { amount, currency } everywhere. */
export const InvoiceSummaryV2 = z
  .object({ ...summary, net: Money })
  .meta({ id: 'InvoiceSummaryV2' });
export const InvoiceV2 = z
  .object({
    ...summary,
    customerId: z.number().int(),
    net: Money,
    vat: Money,
    gross: Money,
    lines: z.array(z.object({ ...line, unitPrice: Money })),
  })
  .meta({ id: 'InvoiceV2' });
export const InvoicePageV2 = z
  .object({ data: z.array(InvoiceSummaryV2), page: pageInfo })
  .meta({ id: 'InvoicePageV2' });
