import { fileURLToPath } from 'node:url';
import { BaseEnv } from '@manifold/platform/config';
import { z } from 'zod';

export const ContentEnv = BaseEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4004),
  /** SQLite file, created and seeded on first start. */
  CONTENT_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/content.sqlite', import.meta.url))),
});
export type ContentEnv = z.infer<typeof ContentEnv>;
