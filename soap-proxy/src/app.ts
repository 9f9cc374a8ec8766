import express from 'express';
import {
  createHttpShell,
  finishHttpShell,
  withEdge,
  type EdgeMiddleware,
} from '@manifold/platform/http';
import type { Logger } from '@manifold/platform/logging';
import type { Keyv } from 'keyv';
import { createResponseCache } from '@manifold/platform/cache';
import { docsRoutes } from '@manifold/platform/openapi';
import { createCachedAnswers } from './http/cached-answers.ts';
import { healthRoutes } from './http/health.ts';
import { mergeDocuments } from './http/merge-documents.ts';
import { operationRoutes } from './http/operation-routes.ts';
import { createExactNumbers } from './mapping/exact-numbers.ts';
import type { SoapService } from './services/soap-service.ts';

export interface SoapProxyDeps {
  services: readonly SoapService[];
  /** Whether ambiguous non-idempotent failures are recorded as dead letters (told in /healthz). */
  deadLetters?: 'ready' | 'unconfigured';
  /** Shared cache for safe-operation answers. */
  cache: Keyv;
  logger: Logger;
  production: boolean;
  /** Checks every request passes before routing and before any cached answer (authentication, limits). @default [] */
  edge?: readonly EdgeMiddleware[];
  /** Largest JSON request body (bytes). @default SOAP_PROXY_BODY_LIMIT_BYTES (1 MiB) */
  bodyLimitBytes?: number;
}

/** soap-proxy's request body limit unless HTTP_BODY_LIMIT_BYTES says otherwise. */
export const SOAP_PROXY_BODY_LIMIT_BYTES = 1_048_576; // 1 MiB

/**
 * edge checks → ahead of routing, a POST's fresh cached answer or its uncached supplier call
 * (http/cached-answers.ts) → request id → access log → /healthz · /openapi.json · /docs → JSON body
 * (≤ 1 MiB) → operations → 404 → problem+json.
 */
export function createApp({
  services,
  deadLetters,
  cache,
  logger,
  production,
  edge = [],
  bodyLimitBytes = SOAP_PROXY_BODY_LIMIT_BYTES,
}: SoapProxyDeps) {
  const app = createHttpShell(logger);
  app.use(healthRoutes(services, deadLetters));
  app.use(docsRoutes(mergeDocuments(services)));
  // Numbers that lose digits in JSON.parse are remembered, so that a decimal sent as one is refused.
  const numbers = createExactNumbers();
  const responses = createResponseCache(cache);
  const cachedAnswers = createCachedAnswers({
    services,
    responses,
    numbers,
    logger,
    bodyLimitBytes,
  });
  app.use(
    cachedAnswers.jsonBody(express.json({ limit: bodyLimitBytes, reviver: numbers.reviver })),
  );
  app.use(operationRoutes(services, responses, numbers, (req) => cachedAnswers.failedAhead(req)));
  const maskUnexpected = production;
  const full = finishHttpShell(app, { logger, maskUnexpected });
  return withEdge(edge, cachedAnswers.inFrontOf(full), {
    logger,
    maskUnexpected,
  });
}
