import { API_KEY_HEADER } from './authenticate.ts';
import type { ScopesFor } from './rest-edge.ts';

export interface OpenApiSecurityOptions {
  /** The same rule the edge enforces. */
  scopesFor: ScopesFor;
  /** Bearer JWTs from the identity provider are accepted. */
  bearer: boolean;
  /** Client certificates are accepted (mutual TLS). @default false */
  mutualTls?: boolean;
}

/** A 429: a per-client rate limit reached (platform/rate-limit), with the headers that say when to come back. */
const RATE_LIMITED = {
  description:
    'A rate limit of your plan was reached: wait `Retry-After` seconds. `RateLimit` and `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers) say which limits and what is left.',
  headers: {
    'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
    RateLimit: {
      description: 'What is left of each limit: `"<policy>";r=<remaining>;t=<seconds to reset>`.',
      schema: { type: 'string' },
    },
    'RateLimit-Policy': {
      description: 'The limits: `"<policy>";q=<quota>;w=<window seconds>`.',
      schema: { type: 'string' },
    },
  },
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        required: ['type', 'title', 'status', 'code', 'retryAfterSeconds'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          instance: { type: 'string' },
          code: { type: 'string', enum: ['RATE_LIMITED'] },
          retryAfterSeconds: { type: 'integer' },
          violatedPolicies: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The RFC 9457 body every refusal carries (platform/errors problem.ts). */
const PROBLEM = {
  'application/problem+json': {
    schema: {
      type: 'object',
      required: ['type', 'title', 'status', 'code'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string' },
        code: { type: 'string', enum: ['UNAUTHENTICATED', 'FORBIDDEN', 'UPSTREAM_UNAVAILABLE'] },
      },
    },
  },
};

/**
 * Says in an OpenAPI 3.1 document what the edge enforces: the accepted schemes
 * (`components.securitySchemes`) and, per operation, the scopes it needs (`security`; `[]` for a
 * public one) with its 401, 403 and 429 (rate limits, which apply to the same routes) answers. Each facade's document builder calls it once.
 */
export function addOpenApiSecurity<Document extends Record<string, unknown>>(
  document: Document,
  { scopesFor, bearer, mutualTls = false }: OpenApiSecurityOptions,
): Document {
  const components = (document['components'] ?? {}) as Record<string, unknown>;
  const schemes: Record<string, unknown> = {
    apiKey: {
      type: 'apiKey',
      in: 'header',
      name: API_KEY_HEADER,
      description: 'An API key (`mfk_…`), also accepted as `Authorization: Bearer mfk_…`.',
    },
    ...(bearer
      ? {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: "An OAuth 2.0 access token from Manifold's identity provider.",
          },
        }
      : {}),
    ...(mutualTls
      ? { mutualTls: { type: 'mutualTLS', description: 'A client certificate our CA issued.' } }
      : {}),
  };
  const paths = (document['paths'] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Record<string, unknown> | undefined;
      if (!operation) continue;
      const required = scopesFor(method.toUpperCase(), path);
      if (required === 'public') {
        operation['security'] = [];
        continue;
      }
      operation['security'] = Object.keys(schemes).map((scheme) => ({ [scheme]: [...required] }));
      const responses = (operation['responses'] ?? {}) as Record<string, unknown>;
      responses['401'] ??= {
        description: 'No credentials, or credentials refused (see WWW-Authenticate).',
        content: PROBLEM,
      };
      responses['403'] ??= {
        description: `The credentials lack a needed scope (${required.join(', ')}).`,
        content: PROBLEM,
      };
      responses['429'] ??= RATE_LIMITED;
      operation['responses'] = responses;
    }
  }
  return {
    ...document,
    components: {
      ...components,
      securitySchemes: { ...(components['securitySchemes'] ?? {}), ...schemes },
    },
  };
}
