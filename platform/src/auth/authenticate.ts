import type { IncomingMessage } from 'node:http';
import { ANONYMOUS, type Caller } from '../contracts/index.ts';
import { AppError } from '../errors/index.ts';
import { timingSafeEqual } from 'node:crypto';
import type { AccessKey, AccessPolicy, AccessPolicySource } from './access-file.ts';
import { API_KEY_PREFIX, apiKeyId, apiKeyMatches } from './api-keys.ts';
import { bearerChallenge } from './challenges.ts';
import type { JwtVerifier, VerifiedToken } from './jwt-verifier.ts';
import { certificateClient } from './mtls.ts';

/** Where API keys travel when they are not a bearer token. */
export const API_KEY_HEADER = 'x-api-key';

export interface AuthenticatorOptions {
  /** Clients, keys, certificates and tiers (the access file). */
  access: AccessPolicySource;
  /** Verifies bearer JWTs; without it a JWT is refused. */
  jwt?: JwtVerifier | undefined;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Who is calling: the caller a request's credential proves, ANONYMOUS when it carries none, or an
 * AppError (401 + `WWW-Authenticate`) when the credential is not good. Synchronous whenever it
 * can be (API keys, certificates, a token verified before), so the hot path costs no promise.
 */
export type Authenticate = (req: IncomingMessage) => Caller | Promise<Caller>;

const refused = (
  description: string,
  error: 'invalid_token' | 'invalid_request' = 'invalid_token',
) =>
  new AppError('UNAUTHENTICATED', `Credentials refused: ${description}`, {
    headers: { 'www-authenticate': bearerChallenge({ error, description }) },
  });

// A key verified once is remembered with its entry (as a verified JWT is): the next request with it
// costs a constant-time comparison of the bytes, not a hash. Keyed by the access file's entry, so
// a reloaded file (a revoked or replaced key) starts afresh; revocation and expiry are still
// checked on every request.
const verifiedKeys = new WeakMap<AccessKey, Buffer>();

function keyIsThisEntrys(key: string, entry: AccessKey): boolean {
  const presented = Buffer.from(key);
  const remembered = verifiedKeys.get(entry);
  if (remembered)
    return remembered.length === presented.length && timingSafeEqual(remembered, presented);
  if (!apiKeyMatches(key, entry.digest)) return false;
  verifiedKeys.set(entry, presented);
  return true;
}

function apiKeyCaller(key: string, policy: AccessPolicy, now: number): Caller {
  const id = apiKeyId(key);
  if (id === undefined) throw refused('the API key is malformed');
  const entry = policy.keys.get(id);
  // An unknown id and a wrong secret get the same answer.
  if (!entry || !keyIsThisEntrys(key, entry)) throw refused('the API key is not known');
  if (entry.revokedAt !== undefined && entry.revokedAt <= now)
    throw refused('the API key has been revoked');
  if (entry.expiresAt !== undefined && entry.expiresAt <= now)
    throw refused('the API key has expired');
  return {
    method: 'api-key',
    clientId: entry.client.id,
    scopes: entry.scopes,
    tier: entry.client.tier,
    credentialId: entry.id,
  };
}

const tokenCaller = (token: VerifiedToken, policy: AccessPolicy): Caller => ({
  method: 'jwt',
  clientId: token.clientId,
  ...(token.subject === undefined ? {} : { subject: token.subject }),
  scopes: token.scopes,
  tier: policy.clients.get(token.clientId)?.tier ?? policy.defaultTier,
});

/** One credential per request: a bearer token (a JWT, or an API key), an `X-API-Key`, or a client certificate. */
export function createAuthenticator({
  access,
  jwt,
  now = Date.now,
}: AuthenticatorOptions): Authenticate {
  return (req) => {
    const policy = access.current();
    const certified = certificateClient(req, policy);
    const authorization = req.headers.authorization;
    const headerKey = req.headers[API_KEY_HEADER];
    if (authorization !== undefined && headerKey !== undefined)
      throw refused('send one credential, not two', 'invalid_request');
    if (typeof headerKey === 'string') return apiKeyCaller(headerKey.trim(), policy, now());
    if (authorization !== undefined) {
      const match = /^Bearer +(\S+) *$/i.exec(authorization);
      if (!match?.[1]) throw refused('expected "Authorization: Bearer <token>"', 'invalid_request');
      const token = match[1];
      if (token.startsWith(API_KEY_PREFIX)) return apiKeyCaller(token, policy, now());
      if (!jwt) throw refused('bearer tokens are not accepted here');
      const known = jwt.cached(token);
      if (known) return tokenCaller(known, policy);
      return jwt.verify(token).then((verified) => tokenCaller(verified, policy));
    }
    if (certified)
      return {
        method: 'mtls',
        clientId: certified.id,
        scopes: certified.scopes,
        tier: certified.tier,
      };
    return ANONYMOUS;
  };
}
