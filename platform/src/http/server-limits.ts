import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, type ErrorCode, PROBLEM_CONTENT_TYPE, toProblem } from '../errors/index.ts';

/**
 * What a client may make the server hold before the service sees a request: the limits no
 * handler can enforce because they are hit while Node is still reading the request (slow-loris
 * headers, a slow body, oversized headers) — each refused with a typed problem+json answer.
 */
export interface HttpServerLimits {
  /** Largest request head (request line + headers). Larger: 431 HEADERS_TOO_LARGE. @default 16384 (16 KiB, Node's) */
  maxHeaderBytes?: number;
  /** Time for a request's whole head to arrive (slow-loris). Later: 408 REQUEST_TIMEOUT. @default 10000 (10 s) */
  headersTimeoutMs?: number;
  /** Time for a whole request, body included, to arrive. Later: 408 REQUEST_TIMEOUT. @default 30000 (30 s) */
  requestTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this; above typical load balancer idle timeouts (60 s). @default 65000 */
  keepAliveTimeoutMs?: number;
  /**
   * Largest request body. A larger `Content-Length` is refused at once, before any byte of the
   * body is read: 413 PAYLOAD_TOO_LARGE (the service's body parser holds a chunked body to the
   * same limit). @default none (left to the service's body parser)
   */
  bodyLimitBytes?: number | undefined;
}

const REASONS: Partial<Record<ErrorCode, string>> = {
  HEADERS_TOO_LARGE: 'Request Header Fields Too Large',
  REQUEST_TIMEOUT: 'Request Timeout',
  PAYLOAD_TOO_LARGE: 'Payload Too Large',
  BAD_REQUEST: 'Bad Request',
};

/** What Node's HTTP parser reports, as our catalogue codes; anything else it refuses is malformed HTTP. */
const NODE_CLIENT_ERRORS: Readonly<Record<string, ErrorCode>> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};
const clientErrorCode = (nodeCode: string | undefined): ErrorCode =>
  (nodeCode === undefined ? undefined : NODE_CLIENT_ERRORS[nodeCode]) ?? 'BAD_REQUEST';

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  HEADERS_TOO_LARGE: 'The request headers are larger than this server accepts',
  REQUEST_TIMEOUT: 'The request did not arrive in time',
  BAD_REQUEST: 'The request is not valid HTTP',
};

/** A problem+json answer written straight to the socket: no request object exists yet. */
function rawProblem(code: ErrorCode): string {
  const problem = toProblem(new AppError(code, MESSAGES[code] ?? code), {
    maskUnexpected: true,
  });
  const body = JSON.stringify(problem);
  return [
    `HTTP/1.1 ${problem.status} ${REASONS[code] ?? 'Bad Request'}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}`,
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/** The options `http.createServer` takes for these limits, and the keep-alive timeout to set on it. */
export function serverOptionsFor({
  maxHeaderBytes = 16_384,
  headersTimeoutMs = 10_000,
  requestTimeoutMs = 30_000,
  keepAliveTimeoutMs = 65_000,
}: HttpServerLimits) {
  if (headersTimeoutMs > requestTimeoutMs)
    throw new Error(
      `The headers timeout (${headersTimeoutMs} ms) cannot be longer than the request timeout (${requestTimeoutMs} ms)`,
    );
  return {
    options: {
      maxHeaderSize: maxHeaderBytes,
      // Counted from a request's first byte: an idle keep-alive socket is not cut by it (Node ≥ 18),
      // so it may be far shorter than the keep-alive timeout.
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // How often Node looks for requests past their timeouts (30 s by default: a 10 s headers
      // timeout could then hold a slow-loris socket for 40 s).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeoutMs / 2))),
    },
    keepAliveTimeoutMs,
  };
}

/**
 * Answers what Node's parser refuses (headers too large, too slow, malformed) with our typed
 * problem+json instead of Node's bare status line; a socket already answering is just closed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: Error, socket: Duplex) => {
    const { code } = error as NodeJS.ErrnoException;
    // The response being written on this socket, if any (Node's own handler checks the same).
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    socket.end(rawProblem(clientErrorCode(code)), () => {
      socket.destroy();
    });
  });
}

/**
 * Refuses a request whose declared body is over `bodyLimitBytes` before reading it (413
 * PAYLOAD_TOO_LARGE, connection closed: the rest of the body is never read).
 */
export function withBodyLimit(
  handler: RequestListener,
  bodyLimitBytes: number | undefined,
): RequestListener {
  if (bodyLimitBytes === undefined) return handler;
  return (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared > bodyLimitBytes)) {
      handler(req, res);
      return;
    }
    const problem = toProblem(
      new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${bodyLimitBytes} bytes`),
      { instance: req.url?.split('?')[0] ?? '/', maskUnexpected: true },
    );
    res
      .writeHead(problem.status, { 'content-type': PROBLEM_CONTENT_TYPE, connection: 'close' })
      .end(JSON.stringify(problem));
  };
}

/** The limits as the environment sets them (platform/config BaseEnv's HTTP_* variables). */
export function httpServerLimits(
  env: {
    HTTP_MAX_HEADER_BYTES: number;
    HTTP_HEADERS_TIMEOUT_MS: number;
    HTTP_REQUEST_TIMEOUT_MS: number;
    HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  },
  bodyLimitBytes?: number,
): HttpServerLimits {
  return {
    maxHeaderBytes: env.HTTP_MAX_HEADER_BYTES,
    headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    bodyLimitBytes,
  };
}
