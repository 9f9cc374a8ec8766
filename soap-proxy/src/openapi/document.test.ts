import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadWsdlDocuments } from '../wsdl/load.ts';
import { describeWsdl } from '../wsdl/model.ts';
import { buildOpenApi } from './document.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));

type Operation = { responses: Record<string, { content: Record<string, { schema: unknown }> }> };
async function problemSchemas(wsdl: string, path: string) {
  const { document } = buildOpenApi(describeWsdl(await loadWsdlDocuments(fixture(wsdl))));
  const post = (document['paths'] as Record<string, { post: Operation }>)[path]!.post;
  const schemaOf = (status: string) =>
    post.responses[status]!.content['application/problem+json']!.schema;
  return { document, rejected: schemaOf('422'), failed: schemaOf('502') };
}

describe('buildOpenApi problem responses', () => {
  it("documents faultDetail with the declared wsdl:fault's detail schema", async () => {
    const { rejected, failed } = await problemSchemas('reports.wsdl', '/api/v1/Reports/GetReport');
    const expected = {
      allOf: [
        { $ref: '#/components/schemas/Problem' },
        {
          type: 'object',
          properties: {
            faultDetail: {
              type: 'object',
              properties: { ReportFault: { $ref: '#/components/schemas/ReportFaultDetail' } },
            },
          },
        },
      ],
    };
    expect(rejected).toMatchObject(expected);
    expect(failed).toMatchObject(expected);
  });

  it('keeps a generic object faultDetail for operations that declare no fault', async () => {
    const { document, rejected } = await problemSchemas('dotted.wsdl', '/api/v1/Dotted/Stock.Get');
    expect(rejected).toEqual({ $ref: '#/components/schemas/Problem' });
    const problem = (document['components'] as { schemas: Record<string, Record<string, unknown>> })
      .schemas['Problem']!;
    expect((problem['properties'] as Record<string, unknown>)['faultDetail']).toMatchObject({
      type: 'object',
    });
  });

  it('documents what a POST body can be refused with before any SOAP call: 413 and 415', async () => {
    const { document } = buildOpenApi(
      describeWsdl(await loadWsdlDocuments(fixture('dotted.wsdl'))),
    );
    const post = (document['paths'] as Record<string, { post: Operation }>)[
      '/api/v1/Dotted/Stock.Get'
    ]!.post;
    for (const status of ['413', '415'])
      expect(post.responses[status]!.content['application/problem+json']!.schema).toEqual({
        $ref: '#/components/schemas/Problem',
      });
  });
});
