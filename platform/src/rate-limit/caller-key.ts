import type { IncomingMessage } from 'node:http';
import type { Caller } from '../contracts/index.ts';

/**
 * Whose counter a request counts against: the identified client (an API key's or a client
 * certificate's client, a client-credentials token's client), the end user a token speaks for
 * (each user of a frontend has their own allowance, not one shared by the whole app), or — for
 * an anonymous caller — the address the connection comes from.
 */
export function partitionKey(caller: Caller, req: IncomingMessage): string {
  switch (caller.method) {
    case 'anonymous':
      return `ip:${req.socket.remoteAddress ?? 'unknown'}`;
    case 'jwt':
      return caller.subject === undefined
        ? `client:${caller.clientId}`
        : `user:${caller.clientId}:${caller.subject}`;
    case 'api-key':
    case 'mtls':
      return `client:${caller.clientId}`;
  }
}
