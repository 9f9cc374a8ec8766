import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { Header } from '../contracts/headers.ts';

export const REQUEST_ID_HEADER = Header.requestId;

// As Hono's requestId: accept an inbound id only when it is short and harmless to log and forward.
const VALID_REQUEST_ID = /^[\w\-=]{1,255}$/;

/** Returns the inbound id when valid, a fresh UUID otherwise. */
export function resolveRequestId(inbound: string | string[] | undefined): string {
  const value = Array.isArray(inbound) ? inbound[0] : inbound;
  return value !== undefined && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}

declare module 'express-serve-static-core' {
  interface Locals {
    requestId: string;
    /** The catalogue code an error answer carried (set by the problem middleware), for the access log. */
    errorCode?: string;
  }
}

/** Sets `res.locals.requestId` and echoes it as `x-request-id` on every response. */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const requestId = resolveRequestId(req.headers[REQUEST_ID_HEADER]);
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    next();
  };
}
