import express from 'express';
import { createClaims } from './http/claims.ts';
import { createRepresentationCache } from './http/representation-cache.ts';
import {
  createHttpShell,
  finishHttpShell,
  withEdge,
  type EdgeMiddleware,
} from '@manifold/platform/http';
import { docsRoutes } from '@manifold/platform/openapi';
import type { Logger } from '@manifold/platform/logging';
import type { Keyv } from 'keyv';
import type { LegacyClient } from './clients/legacy-client.ts';
import type { LegacyForms } from './clients/legacy-forms.ts';
import { createLegacyReader } from './clients/legacy-reader.ts';
import { createConditionalJson, privateCacheControl } from './http/conditional-json.ts';
import { createIdempotency } from './http/idempotency.ts';
import { representationKey } from './http/representation-key.ts';
import { deprecationHeaders, versionFromHeader } from './http/versioning.ts';
import { buildOpenApiDocument, createRegistry } from './openapi.ts';
import { customerRoutes } from './routes/customers.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { loyaltyRoutes } from './routes/loyalty.ts';
import { ticketRoutes } from './routes/tickets.ts';

export interface LegacyAdapterDeps {
  /** Reads from the monolith (retried when idempotent). */
  legacy: LegacyClient;
  /** Writes through the monolith's forms (never retried). */
  forms: LegacyForms;
  /** Shared cache for legacy reads and idempotency records (keyv; Redis in production). */
  cache: Keyv;
  logger: Logger;
  production: boolean;
  /** Announced in v1's Sunset header. */
  v1Sunset: Date;
  /** Breaker/retry state for /healthz. */
  health: () => Record<string, unknown>;
  /**
   * Checks every request passes before anything answers it — ahead of routing and of the
   * representation cache, so no cached answer can skip them (authentication, rate limits). @default []
   */
  edge?: readonly EdgeMiddleware[];
}

/**
 * edge checks (authentication, limits) → fresh rendered answer in the shared cache → 200/304 at once; otherwise:
 * request id → access log → /healthz · /openapi.json · /docs → JSON body → /api: version from URL
 * or API-Version header → v1 (deprecation headers) | v2 → 404 → problem+json.
 */
export function createApp({
  legacy,
  forms,
  cache,
  logger,
  production,
  v1Sunset,
  health,
  edge = [],
}: LegacyAdapterDeps) {
  const reader = createLegacyReader(legacy, cache);
  const registry = createRegistry();
  const representations = createRepresentationCache({
    cache,
    logger,
    keyOf: representationKey,
    cacheControl: privateCacheControl,
  });
  const sendConditionalJson = createConditionalJson(representations, logger);
  const routeDeps = { reader, registry, sendConditionalJson };
  const customers = customerRoutes(routeDeps);
  const invoices = invoiceRoutes(routeDeps);
  const loyalty = loyaltyRoutes(routeDeps);
  const tickets = ticketRoutes({
    ...routeDeps,
    forms,
    idempotency: createIdempotency(cache, createClaims(cache, logger)),
    representations,
  });
  const app = createHttpShell(logger);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', legacy: health() });
  });
  app.use(docsRoutes(buildOpenApiDocument(registry)));
  app.use(express.json({ limit: '256kb' }));
  const api = express.Router();
  api.use(versionFromHeader());
  api.use(
    '/v1',
    deprecationHeaders({ deprecatedSince: new Date('2026-11-01T00:00:00Z'), sunset: v1Sunset }),
    customers.v1,
    invoices.v1,
    loyalty,
    tickets,
  );
  api.use('/v2', customers.v2, invoices.v2, loyalty, tickets);
  app.use('/api', api);
  const maskUnexpected = production;
  return withEdge(
    edge,
    representations.inFrontOf(finishHttpShell(app, { logger, maskUnexpected })),
    {
      logger,
      maskUnexpected,
    },
  );
}
