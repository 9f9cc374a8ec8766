import { describe, expect, it } from 'vitest';
import { addOpenApiSecurity } from './openapi-security.ts';
import { resourceScopes } from './rest-edge.ts';

describe('resourceScopes', () => {
  const scopesFor = resourceScopes();
  it('names scopes after the resource, read or write by method, with or without a version in the path', () => {
    expect(scopesFor('GET', '/api/v2/customers/7')).toEqual(['customers:read']);
    expect(scopesFor('HEAD', '/api/customers/7')).toEqual(['customers:read']);
    expect(scopesFor('POST', '/api/v1/tickets')).toEqual(['tickets:write']);
    expect(scopesFor('DELETE', '/api/v2/tickets/{id}')).toEqual(['tickets:write']);
    expect(scopesFor('GET', '/api/v2')).toEqual([]);
  });
  it('leaves everything outside /api public (health, the document, its viewer)', () => {
    for (const path of ['/healthz', '/openapi.json', '/docs', '/apiary'])
      expect(scopesFor('GET', path)).toBe('public');
  });
  it('lets a facade say which requests only read (a SOAP operation marked safe, over POST)', () => {
    const soap = resourceScopes({ isRead: (_method, path) => path.endsWith('/GetStockLevel') });
    expect(soap('POST', '/api/v1/supplier/GetStockLevel')).toEqual(['supplier:read']);
    expect(soap('POST', '/api/v1/supplier/PlaceSupplierOrder')).toEqual(['supplier:write']);
  });
});

describe('addOpenApiSecurity', () => {
  it('documents the schemes and, per operation, the scopes it needs and its 401/403; public operations need none', () => {
    const document = addOpenApiSecurity(
      {
        openapi: '3.1.0',
        paths: {
          '/api/v2/customers/{id}': { get: { responses: { 200: { description: 'ok' } } } },
          '/healthz': { get: { responses: { 200: { description: 'ok' } } } },
        },
      },
      { scopesFor: resourceScopes(), bearer: true },
    ) as unknown as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<
        string,
        Record<string, { security: unknown; responses: Record<string, unknown> }>
      >;
    };
    expect(Object.keys(document.components.securitySchemes)).toEqual(['apiKey', 'bearer']);
    const customer = document.paths['/api/v2/customers/{id}']!['get']!;
    expect(customer.security).toEqual([
      { apiKey: ['customers:read'] },
      { bearer: ['customers:read'] },
    ]);
    expect(Object.keys(customer.responses)).toEqual(['200', '401', '403', '429']);
    expect(document.paths['/healthz']!['get']!.security).toEqual([]);
  });
});
