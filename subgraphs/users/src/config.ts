import { fileURLToPath } from 'node:url';
import { BaseEnv, port } from '@manifold/platform/config';
import { GatewayIdentityEnv } from '@manifold/platform/auth';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { z } from 'zod';

export const UsersEnv = BaseEnv.extend({
  ...GatewayIdentityEnv.shape,
  PORT: port(DEFAULT_PORTS.users),
  /** SQLite file, created and seeded on first start. */
  USERS_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/users.sqlite', import.meta.url))),
});
export type UsersEnv = z.infer<typeof UsersEnv>;
