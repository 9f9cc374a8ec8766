import express from 'express';
import { createHttpShell, finishHttpShell } from '@manifold/platform/http';
import type { Logger } from '@manifold/platform/logging';
import type { Keyv } from 'keyv';
import { docsRoutes } from '@manifold/platform/openapi';
import { healthRoutes } from './http/health.ts';
import { mergeDocuments } from './http/merge-documents.ts';
import { operationRoutes } from './http/operation-routes.ts';
import type { SoapService } from './services/soap-service.ts';

export interface SoapProxyDeps {
  services: readonly SoapService[];
  /** Shared cache for safe-operation answers. */
  cache: Keyv;
  logger: Logger;
  production: boolean;
}

/**
 * request id → access log → /healthz · /openapi.json · /docs → JSON body (≤ 1 MB) → operations
 * → 404 → problem+json.
 */
export function createApp({ services, cache, logger, production }: SoapProxyDeps) {
  const app = createHttpShell(logger);
  app.use(healthRoutes(services));
  app.use(docsRoutes(mergeDocuments(services)));
  app.use(express.json({ limit: '1mb' }));
  app.use(operationRoutes(services, cache));
  return finishHttpShell(app, { logger, maskUnexpected: production });
}
