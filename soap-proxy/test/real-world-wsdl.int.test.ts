import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApi, type GeneratedApi } from '../src/openapi/document.ts';
import { createSchemaValidator } from '@manifold/platform/openapi';
import { JsonSchemaBuilder } from '../src/wsdl/json-schema.ts';
import { loadWsdlDocuments } from '../src/wsdl/load.ts';
import { describeWsdl } from '../src/wsdl/model.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/wsdl/', import.meta.url));

/** The five public WSDLs (test/fixtures/wsdl/README.md) and what each must yield. */
const WSDLS = [
  { file: 'dneonline-calculator/CalculatorService.wsdl', operations: 8, ports: 2 },
  { file: 'oorsprong-countryinfo/CountryInfoService.wsdl', operations: 42, ports: 2 },
  { file: 'eu-vies-checkvat/checkVatService.wsdl', operations: 2, ports: 1 },
  { file: 'mantisbt-mantisconnect/mantisconnect.wsdl', operations: 72, ports: 1 },
  { file: 'paypal-api/PayPalSvc.wsdl', operations: 57, ports: 2 },
] as const;

const generated = new Map<string, Promise<GeneratedApi>>();
const generate = (file: string) => {
  let api = generated.get(file);
  if (!api) {
    api = loadWsdlDocuments(`${FIXTURES}${file}`).then((documents) =>
      buildOpenApi(describeWsdl(documents)),
    );
    generated.set(file, api);
  }
  return api;
};

type Schema = Record<string, unknown>;
const inputOf = (api: GeneratedApi, path: string) =>
  api.operations.find((operation) => operation.path === path)!.input;
const outputOf = (api: GeneratedApi, path: string) =>
  api.operations.find((operation) => operation.path === path)!.output;
const component = (api: GeneratedApi, name: string) =>
  (api.document['components'] as { schemas: Record<string, Schema> }).schemas[name]!;

describe.each(WSDLS)('OpenAPI generated from $file', ({ file, operations, ports }) => {
  it('is a valid OpenAPI 3.1 document (real validator)', async () => {
    const { document } = await generate(file);
    const result = await new Validator().validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it(`exposes every operation of every port (${operations} on ${ports} port(s)) at a distinct path`, async () => {
    const api = await generate(file);
    expect(api.operations).toHaveLength(operations);
    expect(new Set(api.operations.map((operation) => operation.port.name)).size).toBe(ports);
    expect(new Set(api.operations.map((operation) => operation.path)).size).toBe(operations);
  });

  it('has request and response schemas that compile as JSON Schema 2020-12 with every $ref resolved', async () => {
    const api = await generate(file);
    const validator = createSchemaValidator(api.document);
    for (const operation of api.operations) {
      expect(() => validator.compile(operation.input), `${operation.path} input`).not.toThrow();
      expect(() => validator.compile(operation.output), `${operation.path} output`).not.toThrow();
    }
  });
});

describe('XSD constructs real vendors publish', () => {
  it('calculator: SOAP 1.1 and 1.2 twins both reachable; int fields typed and required', async () => {
    const api = await generate(WSDLS[0].file);
    expect(api.operations.map((operation) => operation.path)).toContain(
      '/api/v1/Calculator/CalculatorSoap12/Add',
    );
    expect(
      api.operations.find(
        (operation) => operation.path === '/api/v1/Calculator/CalculatorSoap12/Add',
      )?.port.soapVersion,
    ).toBe('1.2');
    expect(inputOf(api, '/api/v1/Calculator/Add')).toMatchObject({
      required: ['intA', 'intB'],
      properties: { intA: { type: 'integer', format: 'int32' } },
    });
  });

  it('country info: ArrayOf* wrappers become arrays of nullable items; empty requests are empty objects', async () => {
    const api = await generate(WSDLS[1].file);
    expect(component(api, 'ArrayOftLanguage')).toEqual({
      type: 'object',
      properties: {
        tLanguage: {
          type: 'array',
          items: { anyOf: [{ $ref: '#/components/schemas/tLanguage' }, { type: 'null' }] },
          xml: { namespace: 'http://www.oorsprong.org/websamples.countryinfo' },
        },
      },
      additionalProperties: false,
    });
    expect(inputOf(api, '/api/v1/CountryInfoService/ListOfContinentsByName')).toEqual({
      type: 'object',
      properties: {},
      additionalProperties: false,
    });
  });

  it('EU VIES: enums, patterns, nillable and xsd:date', async () => {
    const api = await generate(WSDLS[2].file);
    expect(component(api, 'matchCode')).toEqual({ type: 'string', enum: ['1', '2', '3'] });
    const validator = createSchemaValidator(api.document);
    const companyType = validator.compile({ $ref: '#/components/schemas/companyTypeCode' });
    expect(companyType('DE-12')).toBe(true);
    expect(companyType('DE12')).toBe(false);
    const output = outputOf(api, '/api/v1/checkVatService/checkVatApprox') as {
      properties: Record<string, Schema>;
    };
    const vies = { namespace: 'urn:ec.europa.eu:taxud:vies:services:checkVat:types' };
    // XSD's lexical form (the time zone optional), not RFC 3339's stricter `format: date`.
    const requestDate = output.properties['requestDate']!;
    expect(requestDate).toMatchObject({ type: 'string', xml: vies });
    const date = new RegExp(requestDate['pattern'] as string);
    for (const valid of ['2026-11-24', '2026-11-24+01:00', '2026-11-24Z'])
      expect(valid).toMatch(date);
    for (const invalid of ['2026-13-01', '2026-11-24T10:00:00', '26-11-24'])
      expect(invalid).not.toMatch(date);
    expect(output.properties['requestDate']).not.toHaveProperty('format');
    expect(output.properties['traderName']).toEqual({ type: ['string', 'null'], xml: vies });
  });

  it('MantisBT rpc/encoded: SOAP-ENC arrays are arrays, zero-part messages empty objects, rpc parts required', async () => {
    const api = await generate(WSDLS[3].file);
    expect(api.operations[0]?.operation).toMatchObject({ style: 'rpc', use: 'encoded' });
    expect(component(api, 'IssueDataArray')).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/IssueData' },
      xml: { wrapped: true },
    });
    expect(inputOf(api, '/api/v1/MantisConnect/mc_version')).toEqual({
      type: 'object',
      properties: {},
      additionalProperties: false,
    });
    expect(inputOf(api, '/api/v1/MantisConnect/mc_issue_get')).toMatchObject({
      required: ['username', 'password', 'issue_id'],
    });
  });

  it('PayPal: types across imported XSD files, extensions as allOf, simple content with attributes', async () => {
    const api = await generate(WSDLS[4].file);
    expect(component(api, 'GetBalanceRequestType')['allOf']).toContainEqual({
      $ref: '#/components/schemas/AbstractRequestType',
    });
    expect(component(api, 'BasicAmountType')).toMatchObject({
      properties: {
        value: { type: 'string' },
        currencyID: { $ref: '#/components/schemas/CurrencyCodeType' },
      },
      required: ['currencyID'],
    });
  });

  it('closes inputs to undeclared fields, except where the XSD is open (PayPal xsd:any in a base type)', async () => {
    const calculator = await generate(WSDLS[0].file);
    const add = createSchemaValidator(calculator.document).compile(
      inputOf(calculator, '/api/v1/Calculator/Add'),
    );
    expect(add({ intA: 1, intB: 2 })).toBe(true);
    expect(add({ intA: 1, intB: 2, injected: 'hello' })).toBe(false);

    const paypal = await generate(WSDLS[4].file);
    const balance = createSchemaValidator(paypal.document).compile(
      inputOf(paypal, '/api/v1/PayPalAPIInterfaceService/GetBalance'),
    );
    expect(balance({ GetBalanceRequest: { Version: '204.0' } })).toBe(true);
    // AbstractRequestType ends in <any>: its extensions take elements the XSD does not name.
    expect(balance({ GetBalanceRequest: { Version: '204.0', Vendor: 'x' } })).toBe(true);
    expect(balance({ GetBalanceRequest: { Version: '204.0' }, injected: 'x' })).toBe(false);
  });

  it('PayPal: elements of a repeating choice are arrays', async () => {
    // No operation uses AccountSummaryType, so it is built on its own.
    const builder = new JsonSchemaBuilder(
      describeWsdl(await loadWsdlDocuments(`${FIXTURES}${WSDLS[4].file}`)).schemas,
    );
    builder.typeRef({ ns: 'urn:ebay:apis:eBLBaseComponents', name: 'AccountSummaryType' }, 'test');
    const summary = builder.components['AccountSummaryType'] as {
      properties: Record<string, Schema>;
    };
    expect(summary.properties['AdditionalAccountsCount']).toMatchObject({
      type: 'array',
      items: { type: 'integer' },
    });
    expect(summary.properties['AccountState']).toMatchObject({ type: 'array' });
  });

  it('offers GET only for safe operations whose input a query string can carry', async () => {
    const calculator = buildOpenApi(
      describeWsdl(await loadWsdlDocuments(`${FIXTURES}${WSDLS[0].file}`)),
      { safeOperations: new Set(['Add']) },
    );
    const add = (
      calculator.document['paths'] as Record<string, { get?: { parameters: { name: string }[] } }>
    )['/api/v1/Calculator/Add'];
    expect(add?.get?.parameters.map((parameter) => parameter.name)).toEqual([
      'intA',
      'intB',
      'X-Request-Id',
    ]);
    expect(
      (calculator.document['paths'] as Record<string, { get?: unknown }>)[
        '/api/v1/Calculator/Subtract'
      ]?.get,
    ).toBeUndefined();

    const paypal = buildOpenApi(
      describeWsdl(await loadWsdlDocuments(`${FIXTURES}${WSDLS[4].file}`)),
      { safeOperations: new Set(['GetBalance']) },
    );
    expect(
      (paypal.document['paths'] as Record<string, { get?: unknown }>)[
        '/api/v1/PayPalAPIInterfaceService/GetBalance'
      ]?.get,
    ).toBeUndefined();
  });
});
