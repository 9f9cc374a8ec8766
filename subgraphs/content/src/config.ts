import { fileURLToPath } from 'node:url';
import { BaseEnv, port } from '@manifold/platform/config';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { z } from 'zod';

export const ContentEnv = BaseEnv.extend({
  PORT: port(DEFAULT_PORTS.content),
  /** SQLite file, created and seeded on first start. */
  CONTENT_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/content.sqlite', import.meta.url))),
});
export type ContentEnv = z.infer<typeof ContentEnv>;
