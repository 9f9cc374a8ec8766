import { fileURLToPath } from 'node:url';
import { BaseEnv, port } from '@manifold/platform/config';
import { GatewayIdentityEnv } from '@manifold/platform/auth';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { z } from 'zod';

export const OrdersEnv = BaseEnv.extend({
  ...GatewayIdentityEnv.shape,
  PORT: port(DEFAULT_PORTS.orders),
  /** SQLite file, created and seeded on first start. */
  ORDERS_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/orders.sqlite', import.meta.url))),
});
export type OrdersEnv = z.infer<typeof OrdersEnv>;
