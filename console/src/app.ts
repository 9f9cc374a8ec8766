import {
  createHttpShell,
  finishHttpShell,
  withEdge,
  type EdgeMiddleware,
} from '@manifold/platform/http';
import type { Logger } from '@manifold/platform/logging';
import { AppError } from '@manifold/platform/errors';
import { renderPage } from './page.ts';
import type { Panel } from './panels/panel.ts';

export interface ConsoleDeps {
  /** The page's panels, in order (services, failures; dead letters later). */
  panels: readonly Panel[];
  logger: Logger;
  production: boolean;
  /** How often the page refreshes its panels. */
  refreshMs: number;
  /** Checks every request passes first (telemetry, authentication). @default [] */
  edge?: readonly EdgeMiddleware[];
}

/**
 * request id → access log → `/` (the page) · `/panels/<id>` (one panel's HTML, no-store) · `/healthz`
 * → 404 → problem+json.
 */
export function createApp({ panels, logger, production, refreshMs, edge = [] }: ConsoleDeps) {
  const byId = new Map(panels.map((panel) => [panel.id, panel]));
  const page = renderPage(panels, { refreshMs });
  const app = createHttpShell(logger);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/', (_req, res) => {
    res.type('html').set('cache-control', 'no-store').send(page);
  });
  app.get('/panels/:id', async (req, res) => {
    const panel = byId.get(req.params.id);
    if (!panel) throw new AppError('NOT_FOUND', `No panel named ${req.params.id}`);
    res
      .type('html')
      .set('cache-control', 'no-store')
      .send(await panel.render());
  });
  const maskUnexpected = production;
  return withEdge(edge, finishHttpShell(app, { logger, maskUnexpected }), {
    logger,
    maskUnexpected,
  });
}
