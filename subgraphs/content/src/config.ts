import { fileURLToPath } from 'node:url';
import { BaseEnv, port } from '@manifold/platform/config';
import { GatewayIdentityEnv } from '@manifold/platform/auth';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { z } from 'zod';

export const ContentEnv = BaseEnv.extend({
  ...GatewayIdentityEnv.shape,
  PORT: port(DEFAULT_PORTS.content),
  /** SQLite file, created and seeded on first start. */
  CONTENT_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/content.sqlite', import.meta.url))),
});
export type ContentEnv = z.infer<typeof ContentEnv>;
