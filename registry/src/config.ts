import { fileURLToPath } from 'node:url';
import { FrontDoorAuthEnv } from '@manifold/platform/auth';
import { BaseEnv, port } from '@manifold/platform/config';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { z } from 'zod';

export const RegistryEnv = BaseEnv.extend({
  ...FrontDoorAuthEnv.shape,
  PORT: port(DEFAULT_PORTS.registry),
  /** SQLite file of the embedded store (used when REGISTRY_DATABASE_URL is unset). */
  REGISTRY_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../.data/registry.sqlite', import.meta.url))),
  /** PostgreSQL store (`postgres://…`): several registry replicas share it. Unset = SQLite. */
  REGISTRY_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** A breaking change to a coordinate some operation used within this many days fails a check. */
  REGISTRY_USAGE_WINDOW_DAYS: z.coerce.number().int().min(1).max(366).default(30),
  /**
   * The `registry:read` routes (GET /supergraph, history, diff) answer without credentials.
   * Unset: on outside production (so `npm start` gateways follow without a key), off in production.
   */
  REGISTRY_PUBLIC_READS: z.stringbool().optional(),
  /** How often a replica looks for versions another replica stored (long-polls wake on them). */
  REGISTRY_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /** Fill an empty store from the repository's subgraph SDLs on start (so gateways have something to follow). */
  REGISTRY_SEED: z.stringbool().default(true),
});
export type RegistryEnv = z.infer<typeof RegistryEnv>;

/** REGISTRY_PUBLIC_READS, its default resolved from NODE_ENV. */
export const publicReads = (env: Pick<RegistryEnv, 'REGISTRY_PUBLIC_READS' | 'NODE_ENV'>) =>
  env.REGISTRY_PUBLIC_READS ?? env.NODE_ENV !== 'production';
