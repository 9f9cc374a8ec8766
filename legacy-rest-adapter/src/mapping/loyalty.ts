import { legacyDateTime, legacyInteger } from './legacy-values.ts';
import type { Legacy } from '../representations.ts';

/** loyalty.php: the balance, as integers. */
export const toLoyalty = (legacy: Legacy) => ({
  customerId: legacyInteger(legacy['customer'], 'loyalty.customer'),
  balance: legacyInteger(legacy['balance'], 'loyalty.balance'),
  events: legacyInteger(legacy['events'], 'loyalty.events'),
});

/** One <event> of loyalty_history.php (XML). */
export const toLoyaltyEvent = (event: Legacy) => ({
  id: legacyInteger(event['id'], 'event.id'),
  points: legacyInteger(event['points'], 'event.points'),
  reason: String(event['reason']),
  at: legacyDateTime(event['date'], 'event.date') ?? new Date(0).toISOString(),
});
