export { createHttpShell, finishHttpShell } from './http-shell.ts';
export { listen, type ListenOptions, type ListenTls } from './listen.ts';
export { httpServerLimits, type HttpServerLimits } from './server-limits.ts';
export { REQUEST_ID_HEADER, requestIdMiddleware, resolveRequestId } from './request-id.ts';
export { decodeText } from './charset.ts';
export { corsMiddleware, type CorsOptions } from './cors.ts';
export { logAnsweredAhead } from './answered-ahead-log.ts';
export { withEdge, type EdgeMiddleware, type EdgeOptions } from './edge.ts';
export {
  readLimited,
  DEFAULT_MAX_RESPONSE_BYTES,
  type ReadLimitedOptions,
} from './read-limited.ts';
