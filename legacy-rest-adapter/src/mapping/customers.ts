import { legacyDate, legacyDateTime, legacyFlag, legacyInteger } from './legacy-values.ts';
import type { CustomerV1, CustomerV2 } from '../schemas/customers.ts';
import type { Legacy } from '../representations.ts';

/** The monolith's customer record (index.php?action=customer), every value a string. */
type LegacyCustomer = Legacy;

function common(legacy: LegacyCustomer) {
  return {
    id: legacyInteger(legacy['id'], 'customer.id'),
    email: String(legacy['email']),
    vip: legacyFlag(legacy['vip'], 'customer.vip'),
    newsletter: legacyFlag(legacy['newsletter'], 'customer.newsletter'),
    createdAt: legacyDateTime(legacy['created'], 'customer.created') ?? new Date(0).toISOString(),
    birthday: legacyDate(legacy['birthday'], 'customer.birthday'),
  };
}

export const toCustomerV1 = (legacy: LegacyCustomer): CustomerV1 => ({
  ...common(legacy),
  name: `${String(legacy['first_name'])} ${String(legacy['last_name'])}`.trim(),
});

export const toCustomerV2 = (legacy: LegacyCustomer): CustomerV2 => ({
  ...common(legacy),
  givenName: String(legacy['first_name']),
  familyName: String(legacy['last_name']),
});
