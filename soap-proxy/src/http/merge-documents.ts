import { addOpenApiSecurity } from '@manifold/platform/auth';
import { accessScopes } from '../config.ts';
import type { SoapService } from '../services/soap-service.ts';

/**
 * One OpenAPI document for every configured service (components are prefixed per service when
 * there are several), saying which credentials and scopes each operation needs.
 */
export function mergeDocuments(services: readonly SoapService[]): Record<string, unknown> {
  const scopesFor = accessScopes(services.map((service) => service.config));
  return addOpenApiSecurity(merged(services), { scopesFor, bearer: true });
}

function merged(services: readonly SoapService[]): Record<string, unknown> {
  const [first] = services;
  if (services.length === 1 && first) return first.api.document;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const { api } of services) {
    Object.assign(paths, api.document['paths']);
    Object.assign(
      schemas,
      (api.document['components'] as { schemas: Record<string, unknown> }).schemas,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Manifold soap-proxy',
      version: '1.0.0',
      description: `SOAP services: ${services.map((s) => s.config.name).join(', ')}`,
    },
    servers: first?.api.document['servers'] ?? [{ url: '/' }],
    paths,
    components: { schemas },
  };
}
