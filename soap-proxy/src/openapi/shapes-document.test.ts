import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSchemaValidator } from '@manifold/platform/openapi';
import { loadWsdlDocuments } from '../wsdl/load.ts';
import { describeWsdl } from '../wsdl/model.ts';
import { buildOpenApi } from './document.ts';

const SHAPES = fileURLToPath(new URL('../../test/fixtures/shapes.wsdl', import.meta.url));

type Schema = Record<string, unknown> & {
  properties?: Record<string, Schema>;
  required?: string[];
};
async function shapes() {
  const api = buildOpenApi(describeWsdl(await loadWsdlDocuments(SHAPES)));
  const [operation] = api.operations;
  const schemas = (api.document['components'] as { schemas: Record<string, Schema> }).schemas;
  const resolve = (schema: Schema): Schema =>
    typeof schema['$ref'] === 'string'
      ? resolve(schemas[schema['$ref'].replace('#/components/schemas/', '')]!)
      : schema;
  return {
    api,
    input: resolve(operation!.input),
    output: resolve(operation!.output),
  };
}

describe('the OpenAPI document of a WSDL', () => {
  it('names the service by the naming rule, sets servers, and says nothing of where the WSDL was read', async () => {
    const { api } = await shapes();
    expect(Object.keys(api.document['paths'] as object)).toEqual([
      '/api/v1/Shop_Service/PlaceOrder',
    ]);
    expect(api.document['servers']).toEqual([{ url: '/' }]);
    expect(JSON.stringify(api.document)).not.toContain(SHAPES);
    expect(JSON.stringify(api.document)).not.toContain('fixtures');
  });

  it('declares the SOAP headers a caller may send as parameters, and those answered as response headers', async () => {
    const { api } = await shapes();
    const post = (api.document['paths'] as Record<string, { post: Record<string, unknown> }>)[
      '/api/v1/Shop_Service/PlaceOrder'
    ]!.post as {
      parameters: { name: string; in: string; required: boolean }[];
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    expect(post.parameters.map(({ name, in: where, required }) => [name, where, required])).toEqual(
      [
        ['X-Request-Id', 'header', false],
        ['SOAP-Header-Auth', 'header', false],
        ['SOAP-Header-Locale', 'header', true],
      ],
    );
    expect(Object.keys(post.responses['200']!.headers ?? {})).toEqual(['SOAP-Header-Usage']);
  });

  it('describes inputs and answers apart: fixed and defaulted fields optional to send, decimals also as numbers, answered as strings', async () => {
    const { input, output, api } = await shapes();
    expect(input.required).toEqual(['id', 'total', 'placedAt', 'sku', 'quantity']);
    expect(input.properties!['version']).toMatchObject({ const: 2 });
    expect(input.properties!['channel']).toMatchObject({ default: 'web' });
    expect(input.properties!['total']).toMatchObject({ type: ['string', 'number'] });
    expect(input.properties!['id']).toMatchObject({ description: "The buyer's order number." });
    expect(input.properties!['priority']).toMatchObject({ default: 1, xml: { attribute: true } });
    expect(input.properties!['origin']).toMatchObject({
      xml: { attribute: true, namespace: 'urn:shapes' },
    });
    expect(output.properties!['total']).toMatchObject({ type: 'string' });
    const validator = createSchemaValidator(api.document);
    const validInput = validator.compile(api.operations[0]!.input);
    const order = {
      id: '1',
      total: 12.5,
      placedAt: '2026-12-03T10:00:00',
      sku: ['A'],
      quantity: [1],
      card: 'x',
    };
    expect(validInput(order)).toBe(true);
    expect(validInput({ ...order, version: 3 })).toBe(false); // fixed="2"
    expect(validInput({ ...order, placedAt: '2026-12-03T10:00:00+01:00' })).toBe(true);
    expect(validInput({ ...order, placedAt: '2026-12-03' })).toBe(false);
  });
});
