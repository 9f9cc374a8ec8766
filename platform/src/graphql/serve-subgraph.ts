import type { Express } from 'express';
import {
  gatewayIdentityVerifierFromEnv,
  type GatewayIdentityEnv,
  type GatewayIdentityVerifier,
} from '../auth/index.ts';
import { configOrExit, type BaseEnv } from '../config/index.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { httpServerLimits } from '../http/server-limits.ts';
import { runService } from '../service/run-service.ts';
import type { SqliteDatabase } from '../data/sqlite.ts';

export interface ServeSubgraphOptions {
  name: string;
  env: BaseEnv & GatewayIdentityEnv & { PORT: number };
  /** Opens (and on first start seeds) the subgraph's database. */
  openDatabase: () => SqliteDatabase;
  createApp: (deps: {
    db: SqliteDatabase;
    logger: Logger;
    production: boolean;
    identity: GatewayIdentityVerifier;
  }) => Promise<{ app: Express; close: () => Promise<void> }>;
}

/**
 * A subgraph's main.ts in one call: logger → gateway identity check → database → app → listen →
 * drain and close on SIGTERM.
 */
export async function serveSubgraph({
  name,
  env,
  openDatabase,
  createApp,
}: ServeSubgraphOptions): Promise<void> {
  const logger = createLogger({ service: name, level: env.LOG_LEVEL });
  const identity = configOrExit(() => gatewayIdentityVerifierFromEnv(env));
  const db = openDatabase();
  const { app, close } = await createApp({
    db,
    logger,
    production: env.NODE_ENV === 'production',
    identity,
  });
  await runService({
    name,
    handler: app,
    port: env.PORT,
    host: env.HOST,
    logger,
    graceMs: env.SHUTDOWN_GRACE_MS,
    // Headers and timeouts as every service; the body limit is the subgraphs' contract with the
    // gateway (SUBGRAPH_REQUEST_LIMIT_BYTES), enforced by their body parser.
    limits: httpServerLimits(env),
    onClose: async () => {
      await close();
      db.close();
    },
  });
}
