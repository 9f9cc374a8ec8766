import { timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors/index.ts';
import { bearerChallenge } from './challenges.ts';

/** Asymmetric signatures only: never `none`, never HS* (an HMAC "verified" with a public key). */
export const ALLOWED_JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type JwtAlgorithm = (typeof ALLOWED_JWT_ALGORITHMS)[number];

export interface JwtVerifierOptions {
  /** The issuer (`iss`); its discovery document gives the JWKS URL unless `jwksUrl` is set. */
  issuer: string;
  /** Accepted audiences (`aud`); a token must name one of them. */
  audience: string | readonly string[];
  /** The issuer's JWKS, when it publishes no discovery document. */
  jwksUrl?: string | undefined;
  /** Accepted signature algorithms. @default ['RS256', 'PS256', 'ES256', 'EdDSA'] */
  algorithms?: readonly JwtAlgorithm[];
  /** Leeway for `exp` and `nbf`, for clocks slightly apart. @default 10 (seconds) */
  clockToleranceSeconds?: number;
  /**
   * After a JWKS fetch, a token with an unknown `kid` is refused without asking the issuer again
   * for this long, so a flood of forged tokens cannot hammer it. @default 30000 (30 s)
   */
  cooldownMs?: number;
  /** Keys are fetched again after this long even when every kid is known. @default 600000 (10 min) */
  cacheMaxAgeMs?: number;
  /** Longest wait for the issuer's discovery document or JWKS. @default 2000 (2 s) */
  fetchTimeoutMs?: number;
  /** Larger tokens are refused unread. @default 8192 (bytes) */
  maxTokenBytes?: number;
}

/** What a verified access token says about its caller. */
export interface VerifiedToken {
  /** The OAuth client the token was issued to (`client_id`, else `azp`, else `sub`). */
  clientId: string;
  /** The end user, when the token speaks for one (a `sub` other than the client's own). */
  subject: string | undefined;
  /** From `scope` (space-separated) or `scp` (a list or a string). */
  scopes: ReadonlySet<string>;
  /** Epoch ms (`exp`). */
  expiresAt: number;
}

export interface JwtVerifier {
  /** Verifies a compact JWT; throws AppError UNAUTHENTICATED (with a Bearer challenge) when it is not valid. */
  verify(token: string): Promise<VerifiedToken>;
  /** The same answer without a promise when this very token was verified before and has not expired. */
  cached(token: string): VerifiedToken | undefined;
}

const DEFAULT_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
// 32 base64url characters of the signature: 192 bits, no two tokens alike by chance.
const REMEMBERED_BY_LAST_CHARACTERS = 32;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const invalidToken = (description: string, cause?: unknown) =>
  new AppError('UNAUTHENTICATED', `Invalid access token: ${description}`, {
    cause,
    headers: { 'www-authenticate': bearerChallenge({ error: 'invalid_token', description }) },
  });

function scopesOf(payload: JWTPayload): Set<string> {
  const { scope, scp } = payload as { scope?: unknown; scp?: unknown };
  const words = (value: unknown) =>
    typeof value === 'string'
      ? value.split(' ')
      : Array.isArray(value)
        ? value.filter((item): item is string => typeof item === 'string')
        : [];
  return new Set([...words(scope), ...words(scp)].filter((word) => word !== ''));
}

function describe(error: unknown): AppError {
  if (error instanceof errors.JWTExpired) return invalidToken('the token has expired', error);
  if (error instanceof errors.JWTClaimValidationFailed)
    return invalidToken(`the "${error.claim}" claim is not acceptable`, error);
  if (error instanceof errors.JOSEAlgNotAllowed)
    return invalidToken('the signature algorithm is not accepted', error);
  if (error instanceof errors.JWKSNoMatchingKey)
    return invalidToken('the token is signed with an unknown key', error);
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return invalidToken('the signature does not verify', error);
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return new AppError('UPSTREAM_UNAVAILABLE', 'The token issuer cannot be reached', {
      cause: error,
      details: { upstream: 'identity provider', retryAfterSeconds: 1 },
    });
  if (error instanceof errors.JOSEError) return invalidToken('the token is malformed', error);
  // The issuer's keys could not be fetched (network): not the caller's fault.
  return new AppError('UPSTREAM_UNAVAILABLE', 'The token issuer cannot be reached', {
    cause: error,
    details: { upstream: 'identity provider', retryAfterSeconds: 1 },
  });
}

/**
 * Verifies OIDC/OAuth access tokens with jose: keys from the issuer's JWKS (discovered, or
 * configured), cached, fetched again for an unknown `kid` at most once per cool-down; pinned
 * algorithms; `iss`, `aud`, `exp`, `nbf` with a small leeway. A token verified once is
 * remembered until it expires, so a client sending the same token costs one signature check.
 */
export function createJwtVerifier({
  issuer,
  audience,
  jwksUrl,
  algorithms = DEFAULT_ALGORITHMS,
  clockToleranceSeconds = 10,
  cooldownMs = 30_000,
  cacheMaxAgeMs = 600_000,
  fetchTimeoutMs = 2_000,
  maxTokenBytes = 8_192,
}: JwtVerifierOptions): JwtVerifier {
  for (const algorithm of algorithms)
    if (!(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(algorithm))
      throw new Error(`JWT algorithm ${algorithm} is not allowed (asymmetric algorithms only)`);
  const remoteKeys = (url: string) =>
    createRemoteJWKSet(new URL(url), {
      cooldownDuration: cooldownMs,
      cacheMaxAge: cacheMaxAgeMs,
      timeoutDuration: fetchTimeoutMs,
    });
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined = jwksUrl
    ? remoteKeys(jwksUrl)
    : undefined;
  let discovery: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  let discoveryFailedAt = -Infinity;
  const discover = async () => {
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(fetchTimeoutMs) });
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== issuer || typeof document.jwks_uri !== 'string')
      throw new Error(`${url} is not the discovery document of ${issuer}`);
    return remoteKeys(document.jwks_uri);
  };
  const keySet = async () => {
    if (keys) return keys;
    // A failed discovery is not retried more than once per cool-down either.
    if (!discovery && Date.now() - discoveryFailedAt < cooldownMs)
      throw new errors.JWKSTimeout('the issuer discovery failed recently');
    discovery ??= discover().then(
      (found) => (keys = found),
      (error: unknown) => {
        discovery = undefined;
        discoveryFailedAt = Date.now();
        throw error;
      },
    );
    return discovery;
  };
  // Verified tokens, found by the end of their signature: a token is a fresh string on every
  // request, and hashing all of it (most of a kilobyte) to look it up cost about a microsecond.
  // The whole token must still be the one remembered; a token ending alike is verified afresh.
  // The comparison is constant-time, as every credential comparison here.
  const verified = new LRUCache<string, { token: Buffer; result: VerifiedToken }>({ max: 10_000 });
  const keyOf = (token: string) => token.slice(-REMEMBERED_BY_LAST_CHARACTERS);

  const cached = (token: string) => {
    const key = keyOf(token);
    const hit = verified.get(key);
    if (!hit) return undefined;
    const presented = Buffer.from(token);
    if (presented.length !== hit.token.length || !timingSafeEqual(presented, hit.token))
      return undefined;
    if (hit.result.expiresAt > Date.now() - clockToleranceSeconds * 1_000) return hit.result;
    verified.delete(key);
    return undefined;
  };

  return {
    cached,
    async verify(token) {
      const hit = cached(token);
      if (hit) return hit;
      if (Buffer.byteLength(token) > maxTokenBytes) throw invalidToken('the token is too large');
      if (!COMPACT_JWS.test(token)) throw invalidToken('the token is malformed');
      let payload: JWTPayload;
      try {
        const jwks = await keySet();
        ({ payload } = await jwtVerify(token, jwks, {
          issuer,
          audience: typeof audience === 'string' ? audience : [...audience],
          algorithms: [...algorithms],
          clockTolerance: clockToleranceSeconds,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw describe(error);
      }
      const {
        sub,
        azp,
        client_id: clientIdClaim,
      } = payload as JWTPayload & {
        azp?: unknown;
        client_id?: unknown;
      };
      const clientId =
        typeof clientIdClaim === 'string' ? clientIdClaim : typeof azp === 'string' ? azp : sub;
      if (clientId === undefined) throw invalidToken('the token names no client');
      const result: VerifiedToken = {
        clientId,
        subject: sub !== undefined && sub !== clientId ? sub : undefined,
        scopes: scopesOf(payload),
        expiresAt: (payload.exp ?? 0) * 1_000,
      };
      verified.set(keyOf(token), { token: Buffer.from(token), result });
      return result;
    },
  };
}
