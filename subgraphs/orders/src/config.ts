import { fileURLToPath } from 'node:url';
import { BaseEnv } from '@manifold/platform/config';
import { z } from 'zod';

export const OrdersEnv = BaseEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4003),
  /** SQLite file, created and seeded on first start. */
  ORDERS_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/orders.sqlite', import.meta.url))),
});
export type OrdersEnv = z.infer<typeof OrdersEnv>;
