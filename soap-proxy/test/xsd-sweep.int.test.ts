// Every operation of every fixture WSDL, called through soap-proxy with a generated input whose
// JSON keys are never in schema order; every envelope it sends is validated by xmllint against
// the WSDL's own schemas (xsd-validator.ts). Prints the table the issue asks for.
import { afterAll, describe, expect, it } from 'vitest';
import { createResolver } from '../src/mapping/schema-walk.ts';
import type { JsonSchema } from '../src/wsdl/json-schema.ts';
import { FIXTURE_WSDLS } from './fixtures-list.ts';
import { httpServer, registerCleanup, serveProxy } from './round-trip-support.ts';
import { sampleInput } from './sample-input.ts';
import { createXsdValidator } from './xsd-validator.ts';

registerCleanup();

/** Records each envelope and answers with a SOAP Server fault (the answer is not what is tested). */
async function captureServer() {
  const envelopes: string[] = [];
  const url = await httpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      envelopes.push(body);
      res.writeHead(500, { 'content-type': 'text/xml' });
      res.end(
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>recorded</faultstring></soap:Fault></soap:Body></soap:Envelope>',
      );
    });
  });
  return { url: `${url}/`, envelopes };
}

const rows: string[] = [];
afterAll(() => {
  process.stdout.write(
    [
      '',
      '| fixture WSDL | operations | envelopes sent | pass the XSD validation (xmllint) |',
      '|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});

describe('every envelope soap-proxy sends is valid against the WSDL’s own schemas (xmllint)', () => {
  for (const { name, file } of FIXTURE_WSDLS) {
    it(`${name}: every operation, keys out of schema order`, async () => {
      const capture = await captureServer();
      const proxy = await serveProxy('sweep', file, capture.url);
      const resolve = createResolver(
        (proxy.service.api.document['components'] as { schemas: Record<string, JsonSchema> })
          .schemas,
      );
      const refused: string[] = [];
      for (const [index, operation] of proxy.service.operations.entries()) {
        const headers = Object.fromEntries(
          operation.requestHeaders.map((header) => [
            header.httpName,
            JSON.stringify(sampleInput(header.schema, resolve, index)),
          ]),
        );
        const answer = await proxy.call(
          operation.path,
          sampleInput(operation.input, resolve, index),
          headers,
        );
        if (answer.status === 400)
          refused.push(`${operation.path}: ${JSON.stringify(answer.body['errors'])}`);
      }
      const verdicts = await (await createXsdValidator(file)).validate(capture.envelopes);
      const invalid = verdicts.filter((verdict) => !verdict.valid);
      rows.push(
        `| ${name} | ${proxy.service.operations.length} | ${capture.envelopes.length} | ${invalid.length === 0 && refused.length === 0 ? 'yes' : `**no** (${invalid.length} invalid, ${refused.length} refused)`} |`,
      );
      expect(refused).toEqual([]);
      expect(invalid).toEqual([]);
      expect(capture.envelopes.length).toBe(proxy.service.operations.length);
    });
  }
});
