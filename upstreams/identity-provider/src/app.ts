import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '@manifold/platform/logging';
import Provider, { errors, type ClientMetadata } from 'oidc-provider';
import { API_RESOURCE, API_SCOPES, CLI_REDIRECT_URI, CLIENTS, isTestUser } from './catalogue.ts';
import type { ProviderSecrets } from './data-store.ts';
import { createInteractions } from './interactions.ts';

export interface IdentityProviderDeps {
  /** The issuer URL, as clients reach it. */
  issuer: string;
  secrets: ProviderSecrets;
  logger: Logger;
  /** @default 900 (15 minutes) */
  accessTokenTtlSeconds?: number;
}

/** Counters a test reads (how often the key set was fetched, how many tokens were issued). */
export interface ProviderStats {
  jwksRequests: number;
  tokenRequests: number;
}

function clientMetadata(
  { clientId, kind, scopes }: (typeof CLIENTS)[number],
  secret: string,
): ClientMetadata {
  return kind === 'user'
    ? {
        client_id: clientId,
        client_secret: secret,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [CLI_REDIRECT_URI],
        scope: ['openid', 'offline_access', ...scopes].join(' '),
        token_endpoint_auth_method: 'client_secret_basic',
      }
    : {
        client_id: clientId,
        client_secret: secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: scopes.join(' '),
        token_endpoint_auth_method: 'client_secret_basic',
      };
}

/**
 * Manifold's reference OpenID Provider (panva's certified oidc-provider): discovery, JWKS,
 * authorization code + PKCE with a test-user login, client credentials, refresh tokens. Access
 * tokens for Manifold's API are RS256 JWTs (RFC 9068) with audience `urn:manifold:api`.
 */
export function createApp({
  issuer,
  secrets,
  logger,
  accessTokenTtlSeconds = 900,
}: IdentityProviderDeps) {
  const stats: ProviderStats = { jwksRequests: 0, tokenRequests: 0 };
  const provider = new Provider(issuer, {
    clients: CLIENTS.map((client) => clientMetadata(client, secrets.clientSecret(client.clientId))),
    jwks: { keys: secrets.signingKeys },
    cookies: { keys: secrets.cookieKeys },
    findAccount: (_ctx, sub) =>
      isTestUser(sub) ? { accountId: sub, claims: () => ({ sub }) } : undefined,
    claims: { openid: ['sub'] },
    scopes: ['openid', 'offline_access', ...API_SCOPES],
    renderError: (ctx, out) => {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `${out['error']}: ${out['error_description'] ?? ''}`;
    },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: accessTokenTtlSeconds,
      ClientCredentials: accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 3_600,
      Interaction: 600,
      Session: 3_600,
      Grant: 3_600,
      RefreshToken: 86_400,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPES.join(' '),
            audience: API_RESOURCE,
            accessTokenTTL: accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  provider.on('server_error', (_ctx, error) => {
    logger.error({ err: error }, 'identity provider error');
  });
  const interactions = createInteractions(provider, secrets.testUserPassword);
  const oidc = provider.callback();
  const handler: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/jwks') stats.jwksRequests += 1;
    if (path === '/token') stats.tokenRequests += 1;
    if (path.startsWith('/interaction/')) {
      interactions(req, res).catch((error: unknown) => {
        logger.warn({ err: error }, 'login interaction failed');
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('The login could not be completed; start again.');
      });
      return;
    }
    void oidc(req, res);
  };
  return { handler, stats, provider };
}
