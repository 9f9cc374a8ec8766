import { z } from 'zod';
import { idParams } from './params.ts';

export const LoyaltyParams = idParams('Customer id', 7);
export const Loyalty = z
  .object({
    customerId: z.number().int(),
    balance: z.number().int().meta({ description: 'Points; may be negative' }),
    events: z.number().int(),
  })
  .meta({ id: 'Loyalty' });
export const LoyaltyEvent = z
  .object({
    id: z.number().int(),
    points: z.number().int(),
    reason: z.string(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'LoyaltyEvent' });
export const LoyaltyHistory = z
  .object({
    data: z.array(LoyaltyEvent),
    page: z.object({
      limit: z.number().int(),
      total: z.number().int(),
      nextCursor: z.string().nullable(),
    }),
  })
  .meta({ id: 'LoyaltyHistory' });
