import {
  createHttpShell,
  finishHttpShell,
  withEdge,
  type EdgeMiddleware,
} from '@manifold/platform/http';
import { AppError } from '@manifold/platform/errors';
import type { Logger } from '@manifold/platform/logging';
import { docsRoutes } from '@manifold/platform/openapi';
import express from 'express';
import type { DeadLetters } from './dead-letters/dead-letters.ts';
import type { Receiver } from './inbound/receiver.ts';
import { createApiDocument } from './openapi.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { hookRoutes } from './routes/hooks.ts';

export interface WebhooksDeps {
  /** Verifies and stores one inbound request. */
  receive: Receiver;
  deadLetters: DeadLetters;
  logger: Logger;
  production: boolean;
  /** Queue counts for /healthz. */
  health: () => Promise<Record<string, unknown>>;
  /** Checks ahead of routing (telemetry, authentication of /api). @default [] */
  edge?: readonly EdgeMiddleware[];
}

/**
 * edge (telemetry; /api needs webhooks:read or webhooks:replay) → request id → access log →
 * /healthz · /openapi.json · /docs → POST /hooks/:source (raw body) → /api/v1 (JSON) → 404 →
 * problem+json.
 */
export function createApp({
  receive,
  deadLetters,
  logger,
  production,
  health,
  edge = [],
}: WebhooksDeps) {
  const app = createHttpShell(logger);
  app.get('/healthz', async (_req, res) => {
    let queues: Record<string, unknown>;
    try {
      queues = await health();
    } catch (error) {
      // Without its Redis the service can acknowledge nothing: not ready (the launcher waits, a
      // load balancer sends senders elsewhere).
      throw new AppError('NOT_READY', 'The queue’s Redis is unreachable', { cause: error });
    }
    res.json({ status: 'ok', queues });
  });
  app.use(docsRoutes(createApiDocument()));
  app.use(hookRoutes(receive));
  app.use('/api/v1', express.json({ limit: '64kb' }), deadLetterRoutes(deadLetters));
  const maskUnexpected = production;
  return withEdge(edge, finishHttpShell(app, { logger, maskUnexpected }), {
    logger,
    maskUnexpected,
  });
}
