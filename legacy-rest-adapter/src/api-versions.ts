import type { ApiVersionRow } from './http/version-table.ts';
import { toCustomerV1, toCustomerV2 } from './mapping/customers.ts';
import {
  toInvoiceSummaryV1,
  toInvoiceSummaryV2,
  toInvoiceV1,
  toInvoiceV2,
} from './mapping/invoices.ts';
import { toLoyalty, toLoyaltyEvent } from './mapping/loyalty.ts';
import { toTicket, toTicketSummary } from './mapping/tickets.ts';
import { pageRepresentation, representation } from './representations.ts';
import { CustomerV1, CustomerV2 } from './schemas/customers.ts';
import { InvoicePageV1, InvoicePageV2, InvoiceV1, InvoiceV2 } from './schemas/invoices.ts';
import { Loyalty, LoyaltyHistory } from './schemas/loyalty.ts';
import { Ticket, TicketPage } from './schemas/tickets.ts';

/**
 * The versions of the API, oldest first: the one table that routing, the Deprecation / Sunset /
 * Link headers, the API-Version header, Location headers, the cached answers and /openapi.json
 * all read. A new version is a row here (the previous `current` becomes `supported` or
 * `deprecated`) plus the schemas and mappings of what it changes; every resource it does not
 * change answers as in the version before it.
 */
export const API_VERSIONS: readonly ApiVersionRow[] = [
  {
    version: 1,
    status: 'deprecated',
    deprecatedSince: new Date('2026-11-01T00:00:00Z'),
    sunset: new Date('2027-06-30T00:00:00Z'),
    successor: 2,
    representations: {
      customer: representation(CustomerV1, toCustomerV1),
      invoice: representation(InvoiceV1, toInvoiceV1),
      invoicePage: pageRepresentation(InvoicePageV1, toInvoiceSummaryV1),
      loyalty: representation(Loyalty, toLoyalty),
      loyaltyHistory: pageRepresentation(LoyaltyHistory, toLoyaltyEvent),
      ticket: representation(Ticket, toTicket),
      ticketPage: pageRepresentation(TicketPage, toTicketSummary),
    },
  },
  {
    // Names split in two (as the mobile apps asked), money as { amount, currency }.
    version: 2,
    status: 'current',
    representations: {
      customer: representation(CustomerV2, toCustomerV2),
      invoice: representation(InvoiceV2, toInvoiceV2),
      invoicePage: pageRepresentation(InvoicePageV2, toInvoiceSummaryV2),
    },
  },
];

/** `rows` with `version`'s sunset moved to `sunset` (V1_SUNSET announces another date without a release). */
export const withSunset = (
  rows: readonly ApiVersionRow[],
  version: number,
  sunset: Date | undefined,
): readonly ApiVersionRow[] =>
  sunset === undefined
    ? rows
    : rows.map((row) => (row.version === version ? { ...row, sunset } : row));
