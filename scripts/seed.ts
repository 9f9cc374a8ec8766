// `npm run seed`: rebuilds every subgraph database under .data/ from the deterministic seed.
import { openContentDatabase } from '@manifold/content';
import { openOrdersDatabase } from '@manifold/orders';
import { openProductsDatabase } from '@manifold/products';
import { openUsersDatabase } from '@manifold/users';
import { loadEnv } from '@manifold/platform/config';
import { ContentEnv } from '../subgraphs/content/src/config.ts';
import { OrdersEnv } from '../subgraphs/orders/src/config.ts';
import { ProductsEnv } from '../subgraphs/products/src/config.ts';
import { UsersEnv } from '../subgraphs/users/src/config.ts';

const databases = [
  [
    'users',
    () => openUsersDatabase({ path: loadEnv(UsersEnv).USERS_DATABASE_PATH, rebuild: true }),
  ],
  [
    'products',
    () =>
      openProductsDatabase({ path: loadEnv(ProductsEnv).PRODUCTS_DATABASE_PATH, rebuild: true }),
  ],
  [
    'orders',
    () => openOrdersDatabase({ path: loadEnv(OrdersEnv).ORDERS_DATABASE_PATH, rebuild: true }),
  ],
  [
    'content',
    () => openContentDatabase({ path: loadEnv(ContentEnv).CONTENT_DATABASE_PATH, rebuild: true }),
  ],
] as const;

const started = performance.now();
for (const [name, open] of databases) {
  const t = performance.now();
  open().close();
  console.log(`seeded ${name.padEnd(8)} in ${Math.round(performance.now() - t)} ms`);
}
console.log(`all databases rebuilt in ${Math.round(performance.now() - started)} ms`);
