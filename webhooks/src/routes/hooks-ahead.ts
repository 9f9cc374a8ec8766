import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Header } from '@manifold/platform/contracts';
import { logAnsweredAhead, resolveRequestId } from '@manifold/platform/http';
import type { Logger } from '@manifold/platform/logging';
import { setRouteTemplate } from '@manifold/platform/telemetry';
import type { NextFunction } from 'express';
import type { Receipt, Receiver } from '../inbound/receiver.ts';
import { HOOKS_BODY_LIMIT_BYTES, HOOKS_ROUTE, writeReceipt } from './hooks.ts';

// `/hooks/<source>` as Express's `/hooks/:source` matches it exactly (no trailing slash, no
// escapes to decode); anything else on /hooks is the app's to route or refuse.
const HOOK_PATH = /^\/hooks\/([\w-]+)$/;

/**
 * Every inbound webhook (`POST /hooks/:source`) answered ahead of the Express app, after the edge
 * checks (telemetry first): the body read, verified and stored, and the receipt written — the
 * route's own work (hooks.ts) without Express's request and response set-up, its router and
 * raw-body, which profiled at about a tenth of an ingest's CPU (bench:webhooks). It answers as
 * the route does (status, body, request id; the route's template on the request's duration and
 * span). Whatever is not a plain POST the route reads as it is — a body of unknown length, one
 * over the limit, a content coding to undo — goes to the app untouched; a request that fails
 * here goes to the app with its error (`failedAhead`), so every refusal is the app's own
 * problem+json, access-logged as usual.
 */
export function createHooksAhead(receive: Receiver, logger: Logger) {
  const failures = new WeakMap<IncomingMessage, unknown>();

  const answer = (req: IncomingMessage, res: ServerResponse, receipt: Receipt) => {
    const requestId = resolveRequestId(req.headers[Header.requestId]);
    res.setHeader(Header.requestId, requestId);
    writeReceipt(res, receipt);
    logAnsweredAhead(logger, req, requestId, { route: HOOKS_ROUTE, statusCode: receipt.status });
  };

  return {
    /** The hook route's first handler: a request that failed ahead of the app is refused with its error. */
    failedAhead: (req: IncomingMessage, _res: ServerResponse, next: NextFunction): void => {
      if (failures.has(req)) next(failures.get(req));
      else next();
    },

    /** Wraps `app`: inbound webhooks first, everything else to `app`. */
    inFrontOf(app: RequestListener): RequestListener {
      return (req, res) => {
        const source = sourceAnsweredAhead(req);
        if (source === undefined) {
          app(req, res);
          return;
        }
        setRouteTemplate(req, HOOKS_ROUTE);
        const failed = (error: unknown) => {
          failures.set(req, error);
          app(req, res);
        };
        readBody(req)
          .then((rawBody) => receive(source, { headers: req.headers, rawBody }))
          .then((receipt) => {
            try {
              answer(req, res, receipt);
            } catch (error) {
              if (res.headersSent) res.destroy();
              else failed(error);
            }
          }, failed);
      };
    },
  };
}

/**
 * The source of an inbound webhook answered ahead of the app: a POST to `/hooks/<source>` with a
 * body read as it is. Decided from the request line and headers alone: the service spans these
 * requests itself (app.ts), and the http instrumentation asks before anything else runs.
 */
export function sourceAnsweredAhead(req: IncomingMessage): string | undefined {
  if (req.method !== 'POST' || req.url === undefined) return undefined;
  const { headers } = req;
  const length = headers['content-length'];
  const coding = headers['content-encoding'];
  const readsAsIs =
    length !== undefined &&
    Number(length) <= HOOKS_BODY_LIMIT_BYTES &&
    headers['transfer-encoding'] === undefined &&
    (coding === undefined || coding.toLowerCase() === 'identity');
  return readsAsIs ? HOOK_PATH.exec(req.url.split('?', 1)[0] ?? '')?.[1] : undefined;
}

/** The whole body (its length is known and within the limit: sourceAnsweredAhead). */
const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete)
        reject(
          Object.assign(new Error('request aborted'), {
            status: 400,
            expose: true,
            type: 'request.aborted',
          }),
        );
    });
  });
