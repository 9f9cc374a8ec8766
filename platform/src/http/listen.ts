import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  answerClientErrors,
  serverOptionsFor,
  withBodyLimit,
  type HttpServerLimits,
} from './server-limits.ts';

/** HTTPS instead of HTTP; with `clientCa`, mutual TLS. */
export interface ListenTls {
  cert: Buffer | string;
  key: Buffer | string;
  /**
   * Client certificates are requested and checked against this CA. The handshake never fails on
   * a bad one: the request arrives with `socket.authorized` false and authentication answers it
   * with a readable 401 (platform/auth mtls).
   */
  clientCa?: Buffer | string;
}

export interface ListenOptions {
  port: number;
  host: string;
  /** Serve HTTPS (and mutual TLS). @default plain HTTP */
  tls?: ListenTls | undefined;
  /** Header size, header/request/keep-alive timeouts, body size. @default HttpServerLimits' defaults */
  limits?: HttpServerLimits | undefined;
}

/** Starts an HTTP server and resolves once it listens, with the actual port (port 0 = any free one). */
export async function listen(
  handler: RequestListener,
  { port, host, tls, limits = {} }: ListenOptions,
): Promise<{ server: Server; port: number; url: string }> {
  const { options: limitOptions, keepAliveTimeoutMs } = serverOptionsFor(limits);
  // A request without a body (every GET) starts already ended: no stream events to set up per request.
  const options = { optimizeEmptyRequests: true, ...limitOptions };
  const guarded = withBodyLimit(handler, limits.bodyLimitBytes);
  const server: Server = tls
    ? createHttpsServer(
        {
          ...options,
          cert: tls.cert,
          key: tls.key,
          ...(tls.clientCa
            ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }
            : {}),
        },
        guarded,
      )
    : createServer(options, guarded);
  server.keepAliveTimeout = keepAliveTimeoutMs;
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const displayHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = tls ? 'https' : 'http';
  return { server, port: address.port, url: `${scheme}://${displayHost}:${address.port}` };
}
