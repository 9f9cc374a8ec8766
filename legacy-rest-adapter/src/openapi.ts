import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { addOpenApiSecurity } from '@manifold/platform/auth';
import { accessScopes } from './config.ts';

export const createRegistry = () => new OpenAPIRegistry();

/** OpenAPI 3.1 generated from the same zod schemas that validate every request and response. */
export function buildOpenApiDocument(registry: OpenAPIRegistry): Record<string, unknown> {
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Manifold legacy-rest-adapter',
      version: '2.0.0',
      description:
        'A versioned JSON API over the legacy PHP monolith. v1 is deprecated (see the Deprecation and Sunset headers); v2 is current.',
    },
  }) as unknown as Record<string, unknown>;
  return addOpenApiSecurity(document, { scopesFor: accessScopes, bearer: true });
}
