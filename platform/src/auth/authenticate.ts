import type { IncomingMessage } from 'node:http';
import { ANONYMOUS, type Caller } from '../contracts/index.ts';
import { AppError } from '../errors/index.ts';
import { timingSafeEqual } from 'node:crypto';
import type { AccessKey, AccessPolicy, AccessPolicySource } from './access-file.ts';
import {
  API_KEY_ID_END,
  API_KEY_ID_START,
  API_KEY_LENGTH,
  API_KEY_PREFIX,
  apiKeyId,
  apiKeyMatches,
} from './api-keys.ts';
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

// A key verified once is remembered with its entry (as a verified JWT is), with the caller it
// proves: the next request with it costs a constant-time comparison of the bytes, not a hash, and
// no new object. Keyed by the access file's entry, so a reloaded file (a revoked or replaced key)
// starts afresh; revocation and expiry are still checked on every request.
const verifiedKeys = new WeakMap<AccessKey, { bytes: Buffer; caller: Caller }>();

// Where a presented key is copied to be compared with a remembered one, instead of a new Buffer
// per request. Used synchronously only; a remembered key (well-formed: ASCII) has this length.
const presented = Buffer.alloc(API_KEY_LENGTH);

/** The caller of a key remembered for `entry`, when `key` is that very key (constant time). */
function rememberedCaller(key: string, entry: AccessKey): Caller | undefined {
  const remembered = verifiedKeys.get(entry);
  if (remembered === undefined || key.length !== API_KEY_LENGTH) return undefined;
  // UTF-8 as Buffer.from would encode it: a key with any non-ASCII character puts a byte no
  // remembered (ASCII) key holds within the first API_KEY_LENGTH bytes, so it never matches.
  presented.write(key, 'utf8');
  return timingSafeEqual(remembered.bytes, presented) ? remembered.caller : undefined;
}

/** Hashes `key` and compares it with `entry`'s digest; a match is remembered. */
function verifiedCaller(key: string, entry: AccessKey): Caller | undefined {
  if (!apiKeyMatches(key, entry.digest)) return undefined;
  const caller: Caller = {
    method: 'api-key',
    clientId: entry.client.id,
    scopes: entry.scopes,
    tier: entry.client.tier,
    credentialId: entry.id,
  };
  verifiedKeys.set(entry, { bytes: Buffer.from(key), caller });
  return caller;
}

function knownKeyCaller(key: string, policy: AccessPolicy): [AccessKey, Caller] {
  // A key seen before: its id is where a well-formed key has it, and its bytes are the
  // remembered ones — no pattern to run (only well-formed keys are remembered).
  const seen = policy.keys.get(key.slice(API_KEY_ID_START, API_KEY_ID_END));
  const again = seen && rememberedCaller(key, seen);
  if (seen && again) return [seen, again];
  const id = apiKeyId(key);
  if (id === undefined) throw refused('the API key is malformed');
  const entry = policy.keys.get(id);
  // An unknown id and a wrong secret get the same answer.
  const caller = entry && (rememberedCaller(key, entry) ?? verifiedCaller(key, entry));
  if (!entry || !caller) throw refused('the API key is not known');
  return [entry, caller];
}

function apiKeyCaller(key: string, policy: AccessPolicy, now: number): Caller {
  const [entry, caller] = knownKeyCaller(key, policy);
  if (entry.revokedAt !== undefined && entry.revokedAt <= now)
    throw refused('the API key has been revoked');
  if (entry.expiresAt !== undefined && entry.expiresAt <= now)
    throw refused('the API key has expired');
  return caller;
}

// One caller per verified token and access policy (its tier comes from the policy), made once.
const tokenCallers = new WeakMap<VerifiedToken, { policy: AccessPolicy; caller: Caller }>();

function tokenCaller(token: VerifiedToken, policy: AccessPolicy): Caller {
  const made = tokenCallers.get(token);
  if (made?.policy === policy) return made.caller;
  const caller: Caller = {
    method: 'jwt',
    clientId: token.clientId,
    ...(token.subject === undefined ? {} : { subject: token.subject }),
    scopes: token.scopes,
    tier: policy.clients.get(token.clientId)?.tier ?? policy.defaultTier,
  };
  tokenCallers.set(token, { policy, caller });
  return caller;
}

const BEARER = 'Bearer ';

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
      // A token verified before, sent as "Bearer <token>": found without the header's regex (a
      // token is only remembered once it was well-formed, so the answer is the same).
      if (jwt && authorization.startsWith(BEARER)) {
        const known = jwt.cached(authorization.slice(BEARER.length));
        if (known) return tokenCaller(known, policy);
      }
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
