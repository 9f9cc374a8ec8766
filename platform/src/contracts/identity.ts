import type { IncomingMessage } from 'node:http';

/**
 * Who is calling, whatever the credential (an OIDC access token, an API key, a client
 * certificate) and whichever front door (gateway, REST facades, webhooks, registry): the one
 * identity model authorization, rate limits, logs and usage reporting read.
 */
export interface Caller {
  /** How the caller proved who it is. */
  readonly method: 'jwt' | 'api-key' | 'mtls' | 'anonymous';
  /** The client (application, partner, service) the credential belongs to; `anonymous` for none. */
  readonly clientId: string;
  /** The end user the credential speaks for (the token's `sub`), when it speaks for one. */
  readonly subject?: string;
  /** What the caller may do (`users:read`, `orders:write` …). */
  readonly scopes: ReadonlySet<string>;
  /** The client's plan, which sets its limits (the access file's `tiers`). */
  readonly tier: string;
  /** Which of the client's credentials was used (an API key's public id), for usage reports and logs. */
  readonly credentialId?: string;
}

export const ANONYMOUS: Caller = {
  method: 'anonymous',
  clientId: 'anonymous',
  scopes: new Set(),
  tier: 'anonymous',
};

const CALLER = Symbol.for('manifold.caller');

/** Records who is calling on a request (the authentication step at a front door does this). */
export function setCaller(req: IncomingMessage, caller: Caller): void {
  (req as IncomingMessage & { [CALLER]?: Caller })[CALLER] = caller;
}

/** Who is calling, as the front door established it; ANONYMOUS until something says otherwise. */
export function callerOf(req: IncomingMessage): Caller {
  return (req as IncomingMessage & { [CALLER]?: Caller })[CALLER] ?? ANONYMOUS;
}
