import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  port: number;
  host: string;
  /** Keep-alive sockets idle longer than this are closed. Above typical LB idle timeouts (60 s). @default 65000 */
  keepAliveTimeoutMs?: number;
}

/** Starts an HTTP server and resolves once it listens, with the actual port (port 0 = any free one). */
export async function listen(
  handler: RequestListener,
  { port, host, keepAliveTimeoutMs = 65_000 }: ListenOptions,
): Promise<{ server: Server; port: number; url: string }> {
  // A request without a body (every GET) starts already ended: no stream events to set up per request.
  const server = createServer({ optimizeEmptyRequests: true }, handler);
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
  return { server, port: address.port, url: `http://${displayHost}:${address.port}` };
}
