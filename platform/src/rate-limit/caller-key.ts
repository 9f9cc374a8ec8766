import type { IncomingMessage } from 'node:http';
import type { Caller } from '../contracts/index.ts';

/**
 * The address an anonymous request comes from. Behind `trustedProxyHops` proxies (a load
 * balancer: 1) it is the entry of `X-Forwarded-For` the outermost trusted proxy appended — the
 * one before it are the client's to write, so never trusted; without proxies, the connection's.
 */
export function clientAddress(req: IncomingMessage, trustedProxyHops = 0): string {
  if (trustedProxyHops > 0) {
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const address = hops[hops.length - trustedProxyHops];
    if (address !== undefined) return address;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Whose counter a request counts against: the identified client (an API key's or a client
 * certificate's client, a client-credentials token's client), the end user a token speaks for
 * (each user of a frontend has their own allowance, not one shared by the whole app), or — for
 * an anonymous caller — the address it comes from.
 */
export function partitionKey(caller: Caller, req: IncomingMessage, trustedProxyHops = 0): string {
  switch (caller.method) {
    case 'anonymous':
      return `ip:${clientAddress(req, trustedProxyHops)}`;
    case 'jwt':
      return caller.subject === undefined
        ? `client:${caller.clientId}`
        : `user:${caller.clientId}:${caller.subject}`;
    case 'api-key':
    case 'mtls':
      return `client:${caller.clientId}`;
  }
}
