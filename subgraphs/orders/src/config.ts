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
  /**
   * The webhooks service's internal source for Manifold's own events (order.created,
   * order.status_changed), e.g. http://127.0.0.1:4300/hooks/manifold. Unset: events are kept
   * in the outbox, not sent (said at start). Its secret: ORDERS_EVENTS_SECRET or _FILE (whsec_).
   */
  ORDERS_EVENTS_URL: z.url().optional(),
});
export type OrdersEnv = z.infer<typeof OrdersEnv>;
