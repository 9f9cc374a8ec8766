import { fileURLToPath } from 'node:url';
import { BaseEnv, port } from '@manifold/platform/config';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { z } from 'zod';

export const IdentityProviderEnv = BaseEnv.extend({
  PORT: port(DEFAULT_PORTS['identity-provider']),
  /** The issuer URL, exactly as clients reach it. @default http://127.0.0.1:<PORT> */
  IDP_ISSUER: z.url().optional(),
  /** Signing keys, generated client secrets and the test users' password (created on first start). */
  IDP_DATA_DIR: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/identity-provider', import.meta.url))),
  /** Lifetime of access tokens. */
  IDP_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900), // 15 minutes
});
export type IdentityProviderEnv = z.infer<typeof IdentityProviderEnv>;
