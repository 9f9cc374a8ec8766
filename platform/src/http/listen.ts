import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

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
  /** Keep-alive sockets idle longer than this are closed. Above typical LB idle timeouts (60 s). @default 65000 */
  keepAliveTimeoutMs?: number;
}

/** Starts an HTTP server and resolves once it listens, with the actual port (port 0 = any free one). */
export async function listen(
  handler: RequestListener,
  { port, host, keepAliveTimeoutMs = 65_000, tls }: ListenOptions,
): Promise<{ server: Server; port: number; url: string }> {
  // A request without a body (every GET) starts already ended: no stream events to set up per request.
  const server: Server = tls
    ? createHttpsServer(
        {
          optimizeEmptyRequests: true,
          cert: tls.cert,
          key: tls.key,
          ...(tls.clientCa
            ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }
            : {}),
        },
        handler,
      )
    : createServer({ optimizeEmptyRequests: true }, handler);
  server.keepAliveTimeout = keepAliveTimeoutMs;
  // Must exceed keepAliveTimeout, or Node cuts requests arriving on a reused socket.
  server.headersTimeout = keepAliveTimeoutMs + 1_000;
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
