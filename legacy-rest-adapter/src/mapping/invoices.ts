import { legacyDateTime, legacyDecimal, legacyFlag, legacyInteger } from './legacy-values.ts';
import type { Legacy } from '../representations.ts';

const money = (amount: string, currency: string) => ({ amount, currency });
const required = (value: string | null, field: string): string => {
  if (value === null) throw new Error(`legacy ${field} is the zero date`);
  return value;
};

function summary(legacy: Legacy) {
  return {
    id: legacyInteger(legacy['id'], 'invoice.id'),
    number: String(legacy['number']),
    issuedAt: required(legacyDateTime(legacy['issued'], 'invoice.issued'), 'invoice.issued'),
    dueAt: required(legacyDateTime(legacy['due'], 'invoice.due'), 'invoice.due'),
    paid: legacyFlag(legacy['paid'], 'invoice.paid'),
    paidAt: legacyDateTime(legacy['paid_on'], 'invoice.paid_on'),
  };
}

const lines = (legacy: Legacy) =>
  (legacy['lines'] as Legacy[]).map((line) => ({
    sku: String(line['sku']),
    description: String(line['description']),
    quantity: legacyInteger(line['qty'], 'line.qty'),
    vatRate: legacyInteger(line['vat_rate'], 'line.vat_rate'),
    unitPrice: legacyDecimal(line['unit_price'], 'line.unit_price'),
  }));

export const toInvoiceSummaryV1 = (legacy: Legacy) => ({
  ...summary(legacy),
  currency: String(legacy['currency']),
  net: legacyDecimal(legacy['net'], 'invoice.net'),
});
export const toInvoiceSummaryV2 = (legacy: Legacy) => ({
  ...summary(legacy),
  net: money(legacyDecimal(legacy['net'], 'invoice.net'), String(legacy['currency'])),
});

export function toInvoiceV1(legacy: Legacy) {
  return {
    ...summary(legacy),
    customerId: legacyInteger(legacy['customer_id'], 'invoice.customer_id'),
    currency: String(legacy['currency']),
    net: legacyDecimal(legacy['net'], 'invoice.net'),
    vat: legacyDecimal(legacy['vat'], 'invoice.vat'),
    gross: legacyDecimal(legacy['gross'], 'invoice.gross'),
    lines: lines(legacy),
  };
}

export function toInvoiceV2(legacy: Legacy) {
  const currency = String(legacy['currency']);
  const v1 = toInvoiceV1(legacy);
  return {
    ...summary(legacy),
    customerId: v1.customerId,
    net: money(v1.net, currency),
    vat: money(v1.vat, currency),
    gross: money(v1.gross, currency),
    lines: v1.lines.map(({ unitPrice, ...rest }) => ({
      ...rest,
      unitPrice: money(unitPrice, currency),
    })),
  };
}
