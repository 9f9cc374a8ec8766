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
import { sameOriginOnly } from './same-origin.ts';

export interface ConsoleDeps {
  /** The page's panels, in order (services, failures, dead letters). */
  panels: readonly Panel[];
  logger: Logger;
  production: boolean;
  /** How often the page refreshes its panels. */
  refreshMs: number;
  /** Checks every request passes first (telemetry, authentication). @default [] */
  edge?: readonly EdgeMiddleware[];
}

/**
 * request id → access log → `/` (the page) · `/panels/<id>` (one panel's HTML, no-store) ·
 * `/panels/<id>/…` (an interactive panel's own requests; changes from the console's page only) ·
 * `/healthz` → 404 → problem+json.
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
  for (const panel of panels)
    if (panel.routes) app.use(`/panels/${panel.id}`, sameOriginOnly, panel.routes);
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
