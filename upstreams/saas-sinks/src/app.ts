import { createHttpShell, finishHttpShell } from '@manifold/platform/http';
import { parseInput } from '@manifold/platform/errors';
import type { Logger } from '@manifold/platform/logging';
import express, { Router } from 'express';
import { z } from 'zod';
import { SINK_NAMES, type Sink, type SinkName } from './sinks.ts';

/** Where each sink receives, as its real counterpart would (deploy/webhooks.yaml points here). */
const PATHS: Record<SinkName, string> = {
  crm: '/crm/events',
  chat: '/chat/hooks',
  accounting: '/accounting/events',
};

const Injection = z.object({
  sink: z.enum(SINK_NAMES).optional(),
  ratio: z.number().min(0).max(1).optional(),
  status: z.number().int().min(400).max(599).optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  ratePerSecond: z.number().int().positive().optional(),
});

/**
 * The three sinks behind one port: POST to receive, `GET /<sink>/effects` for counts and the
 * effects in order (tests, ops). Outside production, `/admin/failures` changes failure injection
 * and rate limits at run time and `/admin/reset` forgets everything.
 */
export function createApp({
  sinks,
  logger,
  production,
}: {
  sinks: ReadonlyMap<SinkName, Sink>;
  logger: Logger;
  production: boolean;
}) {
  const app = createHttpShell(logger);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  for (const [name, sink] of sinks) {
    app.post(PATHS[name], express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
      const answer = await sink.receive({
        idempotencyKey: req.get('idempotency-key') ?? undefined,
        eventId: req.get('x-manifold-event-id') ?? undefined,
      });
      if (answer.retryAfterSeconds !== undefined)
        res.set('retry-after', String(answer.retryAfterSeconds));
      res.status(answer.status).type(answer.contentType).send(answer.body);
    });
    app.get(`/${name}/effects`, (_req, res) => {
      res.json(sink.report());
    });
  }
  if (!production) app.use('/admin', adminRoutes(sinks));
  return finishHttpShell(app, { logger, maskUnexpected: production });
}

/** Test-only controls: absent in production (404), so a deployed sink cannot be told to fail. */
function adminRoutes(sinks: ReadonlyMap<SinkName, Sink>): Router {
  const router = Router();
  router.use(express.json({ limit: '16kb' }));
  router.put('/failures', (req, res) => {
    const { sink, ratePerSecond, ...injection } = parseInput(Injection, req.body ?? {}, {
      what: 'body',
    });
    const chosen = [...sinks.values()].filter(
      (target) => sink === undefined || target.name === sink,
    );
    for (const target of chosen) {
      target.inject(injection);
      if (ratePerSecond !== undefined) target.limit(ratePerSecond);
    }
    res.json({ items: chosen.map((target) => target.report().failureInjection) });
  });
  router.post('/reset', (_req, res) => {
    for (const sink of sinks.values()) sink.reset();
    res.status(204).end();
  });
  return router;
}
