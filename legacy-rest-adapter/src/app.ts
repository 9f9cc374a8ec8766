import { Header } from '@manifold/platform/contracts';
import { AppError } from '@manifold/platform/errors';
import {
  createHttpShell,
  finishHttpShell,
  withEdge,
  type EdgeMiddleware,
} from '@manifold/platform/http';
import { createDeadLetterRecorder, type DeadLetterRecorder } from '@manifold/platform/dead-letters';
import type { Logger } from '@manifold/platform/logging';
import { docsRoutes } from '@manifold/platform/openapi';
import express from 'express';
import type { Keyv } from 'keyv';
import { API_VERSIONS } from './api-versions.ts';
import type { LegacyClient } from './clients/legacy-client.ts';
import type { LegacyForms } from './clients/legacy-forms.ts';
import { createAmbiguousWrites } from './http/ambiguous-writes.ts';
import { createClaims } from './http/claims.ts';
import { createConditionalJson, privateCacheControl } from './http/conditional-json.ts';
import { createIdempotency } from './http/idempotency.ts';
import { createResourceCache } from './http/resource-cache.ts';
import type { ApiVersionRow } from './http/version-table.ts';
import { createVersioning } from './http/versioning.ts';
import { createApiDocument } from './openapi.ts';
import { customerRoutes } from './routes/customers.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { loyaltyRoutes } from './routes/loyalty.ts';
import { ticketRoutes } from './routes/tickets.ts';

export interface LegacyAdapterDeps {
  /** Reads from the monolith (retried when idempotent). */
  legacy: LegacyClient;
  /** Writes through the monolith's forms (never retried). */
  forms: LegacyForms;
  /** Shared cache for resources and idempotency records (keyv; Redis in production). */
  cache: Keyv;
  logger: Logger;
  production: boolean;
  /** The API's versions (src/api-versions.ts). @default API_VERSIONS */
  versions?: readonly ApiVersionRow[];
  /**
   * Where a non-idempotent write that failed ambiguously is recorded (the webhooks Redis).
   * @default unconfigured: such failures are only logged, and /healthz says so
   */
  deadLetters?: DeadLetterRecorder;
  /** Breaker/retry state for /healthz. */
  health: () => Record<string, unknown>;
  /**
   * Checks every request passes before anything answers it — ahead of routing and of the
   * resource cache, so no cached answer can skip them (authentication, rate limits). @default []
   */
  edge?: readonly EdgeMiddleware[];
  /** Largest JSON request body (bytes). @default LEGACY_ADAPTER_BODY_LIMIT_BYTES (256 KiB) */
  bodyLimitBytes?: number;
}

/** The adapter's request body limit unless HTTP_BODY_LIMIT_BYTES says otherwise: its forms are small. */
export const LEGACY_ADAPTER_BODY_LIMIT_BYTES = 262_144; // 256 KiB

/**
 * A body of another type would reach the routes as no body at all, and be refused field by field
 * as if the client had forgotten them: say what is wrong instead (415, as soap-proxy does).
 * `req.is` is null when there is no body (a bodiless POST), which is left to the routes; reads
 * ignore a body, as HTTP says they may.
 */
const bodyMustBeJson: express.RequestHandler = (req, _res, next) => {
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.is('application/json') === false)
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  next();
};

/**
 * edge checks (authentication, limits) → a fresh answer in the resource cache, in the request's
 * version → 200/304 at once; otherwise: request id → access log → /healthz · /openapi.json ·
 * /docs → JSON body → /api: version from the path or API-Version (the version table) → one
 * router for every version → 404 → problem+json.
 */
export function createApp({
  legacy,
  forms,
  cache,
  logger,
  production,
  versions = API_VERSIONS,
  deadLetters = createDeadLetterRecorder({ redisUrl: undefined }),
  health,
  edge = [],
  bodyLimitBytes = LEGACY_ADAPTER_BODY_LIMIT_BYTES,
}: LegacyAdapterDeps) {
  const versioning = createVersioning(versions);
  const resources = createResourceCache({
    cache,
    logger,
    locate: (req) => {
      const located = versioning.locate(req.url ?? '', req.headers[Header.apiVersion]);
      return located?.version && { version: located.version.version, resource: located.resource };
    },
    cacheControl: privateCacheControl,
  });
  const document = createApiDocument(versioning);
  const routeDeps = {
    legacy,
    resources,
    document,
    send: createConditionalJson(resources, logger),
  };
  const api = express.Router();
  api.use(
    versioning.select(),
    customerRoutes(routeDeps),
    invoiceRoutes(routeDeps),
    loyaltyRoutes(routeDeps),
    ticketRoutes({
      ...routeDeps,
      forms,
      idempotency: createIdempotency(cache, createClaims(cache, logger)),
      ambiguousWrites: createAmbiguousWrites({ recorder: deadLetters, logger }),
      versioning,
    }),
  );
  const app = createHttpShell(logger);
  app.get('/healthz', (_req, res) => {
    // `deadLetters: unconfigured`: an ambiguous failure of a non-idempotent write is only logged.
    res.json({ status: 'ok', legacy: health(), deadLetters: deadLetters.state });
  });
  app.use(docsRoutes(document.build()));
  app.use(express.json({ limit: bodyLimitBytes }), bodyMustBeJson);
  app.use('/api', api);
  const maskUnexpected = production;
  return withEdge(edge, resources.inFrontOf(finishHttpShell(app, { logger, maskUnexpected })), {
    logger,
    maskUnexpected,
  });
}
