import { fileURLToPath } from 'node:url';
import { BaseEnv } from '@manifold/platform/config';
import { z } from 'zod';

export const UsersEnv = BaseEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4001),
  /** SQLite file, created and seeded on first start. */
  USERS_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/users.sqlite', import.meta.url))),
});
export type UsersEnv = z.infer<typeof UsersEnv>;
