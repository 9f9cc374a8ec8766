import { AppError } from '@manifold/platform/errors';
import type { NextFunction, Request, Response } from 'express';

/** The header the console's own page sends with every change; a form on another site cannot. */
export const ACTION_HEADER = 'x-console-action';

/**
 * CSRF guard for the console's POSTs (replays act with the console's key). A cross-site page can
 * make a browser POST a form, but not add a custom header or a JSON content type without a CORS
 * preflight, which the console never answers yes to. The browser's own origin signals, when sent,
 * must say the same origin too.
 */
export function sameOriginOnly(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') {
    next();
    return;
  }
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  const host = req.get('host');
  const originHost = origin !== undefined && URL.canParse(origin) ? new URL(origin).host : '';
  const sameOrigin =
    req.get(ACTION_HEADER) !== undefined &&
    typeof req.is('application/json') === 'string' &&
    (site === undefined || site === 'same-origin') &&
    (origin === undefined || originHost === host);
  if (!sameOrigin) {
    next(new AppError('FORBIDDEN', 'Changes are accepted from the console’s own page only'));
    return;
  }
  next();
}
