import type { IncomingMessage } from 'node:http';
import { jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { Header, type Caller } from '../contracts/index.ts';
import { AppError } from '../errors/index.ts';
import type { Secret } from './secrets.ts';

/**
 * The caller, as the gateway tells it to the subgraphs: a JWT of a minute's life, HMAC-signed
 * (HS256) with a secret only the gateway and the subgraphs hold, in `x-manifold-identity`.
 * A subgraph refuses any request without a valid one — a client reaching a subgraph directly
 * cannot become anyone, not even anonymous. The gateway signs once per caller per half-life;
 * a subgraph verifies a given token once.
 */
const ISSUER = 'manifold-gateway';
const AUDIENCE = 'manifold-subgraphs';
const LIFETIME_SECONDS = 60;
/** At least 256 bits, as RFC 7518 asks of an HS256 key. */
export const MIN_GATEWAY_SECRET_LENGTH = 32;

const encoder = new TextEncoder();

/** The key bytes of the secret's current value (so a rotated file takes effect on the next read). */
function keyOf(secret: Secret): { value: string; key: Uint8Array } {
  const value = secret.value();
  if (value.length < MIN_GATEWAY_SECRET_LENGTH)
    throw new Error(
      `the gateway identity secret (${secret.source}) must be at least ${MIN_GATEWAY_SECRET_LENGTH} characters`,
    );
  return { value, key: encoder.encode(value) };
}

interface IdentityClaims {
  cid: string;
  scope: string;
  tier: string;
  amr: Caller['method'];
  crd?: string;
}

export interface GatewayIdentitySigner {
  /** The signed identity header for `caller` (anonymous callers get one too). */
  headerFor(caller: Caller): Promise<string>;
}

export function createGatewayIdentitySigner(secret: Secret): GatewayIdentitySigner {
  keyOf(secret); // fail at start-up, not on the first request
  const signed = new LRUCache<string, { token: string; renewAt: number }>({ max: 10_000 });
  let signedWith = '';
  return {
    async headerFor(caller) {
      const { value, key } = keyOf(secret);
      // A rotated secret: nothing signed with the old one is handed out again.
      if (value !== signedWith) {
        signed.clear();
        signedWith = value;
      }
      const cacheKey = [
        caller.method,
        caller.clientId,
        caller.subject ?? '',
        caller.tier,
        caller.credentialId ?? '',
        [...caller.scopes].sort().join(' '),
      ].join('\u0000');
      const hit = signed.get(cacheKey);
      if (hit && hit.renewAt > Date.now()) return hit.token;
      const claims: IdentityClaims = {
        cid: caller.clientId,
        scope: [...caller.scopes].join(' '),
        tier: caller.tier,
        amr: caller.method,
        ...(caller.credentialId === undefined ? {} : { crd: caller.credentialId }),
      };
      const jwt = new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${LIFETIME_SECONDS}s`);
      if (caller.subject !== undefined) jwt.setSubject(caller.subject);
      const token = await jwt.sign(key);
      signed.set(cacheKey, { token, renewAt: Date.now() + (LIFETIME_SECONDS * 1_000) / 2 });
      return token;
    },
  };
}

export interface GatewayIdentityVerifierOptions {
  /**
   * After the secret changes, tokens signed with the previous one are still accepted this long,
   * so the gateway and the subgraphs need not pick up a rotation at the same instant.
   * @default 300000 (5 min)
   */
  rotationGraceMs?: number;
}

export interface GatewayIdentityVerifier {
  /** The caller a request's signed identity proves; AppError UNAUTHENTICATED without a valid one. */
  verify(req: IncomingMessage): Caller | Promise<Caller>;
}

const notFromGateway = (reason: string, cause?: unknown) =>
  new AppError('UNAUTHENTICATED', `Subgraphs answer the gateway only: ${reason}`, { cause });

export function createGatewayIdentityVerifier(
  secret: Secret,
  { rotationGraceMs = 300_000 }: GatewayIdentityVerifierOptions = {},
): GatewayIdentityVerifier {
  let current = keyOf(secret);
  let previous: { key: Uint8Array; until: number } | undefined;
  const keys = () => {
    const latest = keyOf(secret);
    if (latest.value !== current.value) {
      previous = { key: current.key, until: Date.now() + rotationGraceMs };
      current = latest;
    }
    if (previous && previous.until <= Date.now()) previous = undefined;
    return previous ? [current.key, previous.key] : [current.key];
  };
  const verified = new LRUCache<string, { caller: Caller; expiresAt: number }>({ max: 10_000 });

  const verifyToken = async (token: string): Promise<Caller> => {
    let lastError: unknown;
    for (const key of keys()) {
      try {
        const { payload } = await jwtVerify<IdentityClaims>(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          clockTolerance: 5,
          requiredClaims: ['exp', 'cid', 'tier', 'amr'],
        });
        const caller: Caller = {
          method: payload.amr,
          clientId: payload.cid,
          ...(payload.sub === undefined ? {} : { subject: payload.sub }),
          scopes: new Set(payload.scope.split(' ').filter((scope) => scope !== '')),
          tier: payload.tier,
          ...(payload.crd === undefined ? {} : { credentialId: payload.crd }),
        };
        verified.set(token, { caller, expiresAt: (payload.exp ?? 0) * 1_000 });
        return caller;
      } catch (error) {
        lastError = error;
      }
    }
    throw notFromGateway('the identity header does not verify', lastError);
  };

  return {
    verify(req) {
      const token = req.headers[Header.identity];
      if (typeof token !== 'string' || token === '')
        throw notFromGateway('the request carries no signed identity');
      const hit = verified.get(token);
      if (hit && hit.expiresAt > Date.now()) return hit.caller;
      return verifyToken(token);
    },
  };
}
