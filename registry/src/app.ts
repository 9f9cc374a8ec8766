import { AppError } from '@manifold/platform/errors';
import {
  createHttpShell,
  finishHttpShell,
  withEdge,
  type EdgeMiddleware,
} from '@manifold/platform/http';
import type { Logger } from '@manifold/platform/logging';
import { docsRoutes } from '@manifold/platform/openapi';
import express from 'express';
import type { Composer } from './composition/composer.ts';
import type { RegistryScopes } from './http/access.ts';
import { createRegistryMetrics } from './metrics.ts';
import { createApiDocument } from './openapi.ts';
import { createRegistry } from './registry.ts';
import { subgraphRoutes } from './routes/subgraphs.ts';
import { supergraphRoutes } from './routes/supergraph.ts';
import { usageRoutes } from './routes/usage.ts';
import type { RegistryStore } from './store/store.ts';
import { VersionWatch } from './version-watch.ts';

export interface RegistryAppDeps {
  store: RegistryStore;
  composer: Composer;
  logger: Logger;
  production: boolean;
  /** A breaking change used within this many days fails a check. @default 30 */
  usageWindowDays?: number;
  /** How often to look for versions other replicas stored. @default 1000 (1 s) */
  pollMs?: number;
  /** The scope rule the edge enforces, for /openapi.json. */
  scopesFor: (method: string, path: string) => RegistryScopes;
  /** Bearer JWTs are accepted (for /openapi.json). @default false */
  bearer?: boolean;
  /** Checks ahead of routing: telemetry, authentication (registryAccessEdge). @default [] */
  edge?: readonly EdgeMiddleware[];
}

/**
 * edge (metrics, authentication: 401/403) → request id → access log → /healthz · /readyz ·
 * /openapi.json · /docs → JSON body (≤ 8 MiB, else 413) → routes (400 on invalid input, 404
 * unknown version, 409 SCHEMA_CHECK_FAILED) → 404 → problem+json.
 * Call `start()` before listening (reads the current version) and `close()` at shutdown.
 */
export function createApp({
  store,
  composer,
  logger,
  production,
  usageWindowDays = 30,
  pollMs = 1_000,
  scopesFor,
  bearer = false,
  edge = [],
}: RegistryAppDeps) {
  const watch = new VersionWatch({ store, logger, pollMs });
  const metrics = createRegistryMetrics({
    version: () => watch.current,
    longPolls: () => watch.waiting,
  });
  const registry = createRegistry({ store, composer, usageWindowDays, watch, logger, metrics });
  const deps = { registry, watch, store, composer, metrics };

  const app = createHttpShell(logger);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: watch.current ?? null, longPolls: watch.waiting });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await store.ping();
    } catch (error) {
      logger.warn({ err: error }, 'registry store does not answer');
      throw new AppError('NOT_READY', 'The registry store does not answer', { cause: error });
    }
    res.json({ status: 'ready', store: store.kind, version: watch.current ?? null });
  });
  app.use(docsRoutes(createApiDocument({ scopesFor, bearer })));
  app.use(express.json({ limit: '8mb' }));
  app.use(supergraphRoutes(deps), subgraphRoutes(deps), usageRoutes(deps));
  const maskUnexpected = production;
  const handler = withEdge(edge, finishHttpShell(app, { logger, maskUnexpected }), {
    logger,
    maskUnexpected,
  });
  return {
    handler,
    registry,
    watch,
    start: () => watch.start(),
    /** Stops polling and answers waiting long-polls (they must not hold a drain). */
    close: () => {
      watch.close();
    },
  };
}

export type RegistryApp = ReturnType<typeof createApp>;
