import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import { commaList, ConfigError } from '../config/index.ts';
import { defaultUrl } from '../contracts/index.ts';
import { watchAccessFile, type WatchedAccessFile } from './access-file.ts';
import { createAuthenticator, type Authenticate } from './authenticate.ts';
import {
  createGatewayIdentitySigner,
  createGatewayIdentityVerifier,
  MIN_GATEWAY_SECRET_LENGTH,
  type GatewayIdentitySigner,
  type GatewayIdentityVerifier,
} from './gateway-identity.ts';
import { ALLOWED_JWT_ALGORITHMS, createJwtVerifier, type JwtAlgorithm } from './jwt-verifier.ts';
import { secretFromEnv, secretFromFile, type Secret } from './secrets.ts';

const DATA_DIR = fileURLToPath(new URL('../../../.data/', import.meta.url));

/** The audience our reference identity provider puts in access tokens for Manifold's APIs. */
export const MANIFOLD_API_AUDIENCE = 'urn:manifold:api';

/**
 * Variables of a front door (the gateway, each REST facade): who may call and how. Extend a
 * service's env schema with `.extend(FrontDoorAuthEnv.shape)`.
 */
export const FrontDoorAuthEnv = z.object({
  /** Clients, API key hashes, client certificates and tiers; reloaded when it changes. */
  ACCESS_FILE: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../deploy/access.yaml', import.meta.url))),
  /**
   * The OpenID provider whose access tokens are accepted (its discovery document gives the
   * JWKS). Unset: the reference provider (`npm start`) outside production, none in production.
   */
  OIDC_ISSUER: z.url().optional(),
  /** The audience access tokens must name. */
  OIDC_AUDIENCE: z.string().min(1).default(MANIFOLD_API_AUDIENCE),
  /** The issuer's JWKS, when it publishes no discovery document. */
  OIDC_JWKS_URL: z.url().optional(),
  /** Accepted signature algorithms (asymmetric only). */
  OIDC_ALGORITHMS: commaList().pipe(
    z
      .array(z.enum(ALLOWED_JWT_ALGORITHMS))
      .transform((list): JwtAlgorithm[] =>
        list.length > 0 ? list : ['RS256', 'PS256', 'ES256', 'EdDSA'],
      ),
  ),
  /** Leeway for exp/nbf. */
  OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  /** An unknown kid refetches the JWKS at most once per this long. */
  OIDC_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  /** Serve HTTPS with this certificate chain (PEM)… */
  TLS_CERT_FILE: z.string().min(1).optional(),
  /** …and this private key (PEM). */
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** Mutual TLS: ask clients for a certificate and trust those this CA (PEM) issued. Needs TLS_CERT_FILE. */
  TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
});
export type FrontDoorAuthEnv = z.infer<typeof FrontDoorAuthEnv>;

/** HTTPS settings for `listen` (platform/http). */
export interface TlsSettings {
  cert: Buffer;
  key: Buffer;
  /** When set: mutual TLS, client certificates requested and checked against it. */
  clientCa?: Buffer;
}

export interface FrontDoorAuth {
  authenticate: Authenticate;
  /** The access file, watched: its `current()` policy (tiers included) is what every check reads. */
  access: WatchedAccessFile;
  /** Whether bearer JWTs are accepted (an issuer is configured). */
  acceptsJwt: boolean;
  tls: TlsSettings | undefined;
  close(): void;
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError([`${variable}: cannot read ${path}: ${(error as Error).message}`]);
  }
}

/** Builds a front door's authentication from its (parsed) environment. Called from main.ts. */
export function frontDoorAuthFromEnv(
  env: FrontDoorAuthEnv & { NODE_ENV: string },
  logger: Logger,
): FrontDoorAuth {
  const problems: string[] = [];
  if ((env.TLS_CERT_FILE === undefined) !== (env.TLS_KEY_FILE === undefined))
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE: set both or neither');
  if (env.TLS_CLIENT_CA_FILE !== undefined && env.TLS_CERT_FILE === undefined)
    problems.push('TLS_CLIENT_CA_FILE: mutual TLS needs TLS_CERT_FILE and TLS_KEY_FILE');
  if (problems.length > 0) throw new ConfigError(problems);
  const tls =
    env.TLS_CERT_FILE && env.TLS_KEY_FILE
      ? {
          cert: readPem('TLS_CERT_FILE', env.TLS_CERT_FILE),
          key: readPem('TLS_KEY_FILE', env.TLS_KEY_FILE),
          ...(env.TLS_CLIENT_CA_FILE
            ? { clientCa: readPem('TLS_CLIENT_CA_FILE', env.TLS_CLIENT_CA_FILE) }
            : {}),
        }
      : undefined;
  const issuer =
    env.OIDC_ISSUER ??
    (env.NODE_ENV === 'production' ? undefined : defaultUrl('identity-provider'));
  const jwt = issuer
    ? createJwtVerifier({
        issuer,
        audience: env.OIDC_AUDIENCE,
        jwksUrl: env.OIDC_JWKS_URL,
        algorithms: env.OIDC_ALGORITHMS,
        clockToleranceSeconds: env.OIDC_CLOCK_TOLERANCE_SECONDS,
        cooldownMs: env.OIDC_JWKS_COOLDOWN_MS,
      })
    : undefined;
  const access = watchAccessFile(env.ACCESS_FILE, { logger });
  logger.info(
    { issuer, accessFile: env.ACCESS_FILE, mutualTls: tls?.clientCa !== undefined },
    'front door authentication',
  );
  return {
    authenticate: createAuthenticator({ access, jwt }),
    access,
    acceptsJwt: jwt !== undefined,
    tls,
    close: () => {
      access.close();
    },
  };
}

/** Variables of the gateway and the subgraphs: the secret the gateway signs identities with. */
export const GatewayIdentityEnv = z.object({
  /** At least 32 characters, the same on the gateway and every subgraph. */
  GATEWAY_IDENTITY_SECRET: z.string().min(MIN_GATEWAY_SECRET_LENGTH).optional(),
  /** Or a file holding it (re-read when it changes: rotation without a restart). */
  GATEWAY_IDENTITY_SECRET_FILE: z.string().min(1).optional(),
});
export type GatewayIdentityEnv = z.infer<typeof GatewayIdentityEnv>;

/** Where the development secret lives when none is configured (created on first use). */
export const DEV_GATEWAY_SECRET_PATH = `${DATA_DIR}gateway-identity.secret`;

/**
 * A random secret in a file, created once by whichever process needs it first (link(2) is
 * atomic: the gateway and the subgraphs, starting together, end up with the same one).
 */
function ensureSecretFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, randomBytes(32).toString('base64url'), { mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/**
 * The gateway identity secret: GATEWAY_IDENTITY_SECRET(_FILE), required in production; outside
 * production a generated one under .data/, so `npm start` needs no setup.
 */
export function gatewayIdentitySecret(env: GatewayIdentityEnv & { NODE_ENV: string }): Secret {
  const configured = secretFromEnv(env, 'GATEWAY_IDENTITY_SECRET');
  if (configured) return configured;
  if (env.NODE_ENV === 'production')
    throw new ConfigError([
      'GATEWAY_IDENTITY_SECRET or GATEWAY_IDENTITY_SECRET_FILE: required in production (the same on the gateway and every subgraph)',
    ]);
  ensureSecretFile(DEV_GATEWAY_SECRET_PATH);
  return secretFromFile(DEV_GATEWAY_SECRET_PATH);
}

export const gatewayIdentitySignerFromEnv = (
  env: GatewayIdentityEnv & { NODE_ENV: string },
): GatewayIdentitySigner => createGatewayIdentitySigner(gatewayIdentitySecret(env));

export const gatewayIdentityVerifierFromEnv = (
  env: GatewayIdentityEnv & { NODE_ENV: string },
): GatewayIdentityVerifier => createGatewayIdentityVerifier(gatewayIdentitySecret(env));
