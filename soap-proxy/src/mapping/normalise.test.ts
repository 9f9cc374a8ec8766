import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../wsdl/json-schema.ts';
import { normalise } from './normalise.ts';
import { createResolver } from './schema-walk.ts';
import { toSoapArguments } from './to-soap.ts';

const components: Record<string, JsonSchema> = {
  Level: {
    type: 'object',
    properties: {
      sku: { type: 'string' },
      available: { type: 'integer' },
      active: { type: 'boolean' },
    },
    required: ['sku'],
  },
  LevelArray: { type: 'array', items: { $ref: '#/components/schemas/Level' } },
  Amount: {
    type: 'object',
    properties: {
      value: { type: 'string', 'x-xml-text': true },
      currency: { type: 'string', xml: { attribute: true } },
    },
  },
  Base: { type: 'object', properties: { version: { type: 'string' } } },
  Derived: {
    allOf: [
      { $ref: '#/components/schemas/Base' },
      { type: 'object', properties: { total: { type: 'number' } } },
    ],
  },
};
const resolve = createResolver(components);
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const levels: JsonSchema = {
  type: 'object',
  properties: { level: { type: 'array', items: ref('Level') } },
};

describe('normalise', () => {
  it('makes repeated elements arrays whether 0, 1 or n came back', () => {
    expect(normalise({}, levels, resolve)).toEqual({ level: [] });
    expect(normalise({ level: { sku: 'A', available: '3' } }, levels, resolve)).toEqual({
      level: [{ sku: 'A', available: 3 }],
    });
    expect(normalise({ level: [{ sku: 'A' }, { sku: 'B' }] }, levels, resolve)).toEqual({
      level: [{ sku: 'A' }, { sku: 'B' }],
    });
  });

  it('unwraps SOAP-ENC arrays and xsi:type leaves, drops namespace prefixes', () => {
    const encoded = {
      item: {
        attributes: { 'xsi:type': 'tns:Level' },
        'ns1:sku': { attributes: { 'xsi:type': 'xsd:string' }, $value: 'A' },
        available: { $value: '7' },
        active: { $value: 'true' },
      },
    };
    expect(normalise(encoded, ref('LevelArray'), resolve)).toEqual([
      { sku: 'A', available: 7, active: true },
    ]);
    expect(normalise(undefined, ref('LevelArray'), resolve)).toEqual([]);
  });

  it('turns an explicit nil into null where the schema allows it', () => {
    const schema = { type: 'object', properties: { note: { type: ['string', 'null'] } } };
    expect(normalise({ note: { attributes: { 'xsi:nil': 'true' } } }, schema, resolve)).toEqual({
      note: null,
    });
  });

  it('puts simple content under value with its attributes beside it', () => {
    expect(
      normalise(
        { attributes: { currencyID: 'EUR' }, $value: '12.50' },
        {
          type: 'object',
          properties: { value: { type: 'string' }, currencyID: { type: 'string' } },
        },
        resolve,
      ),
    ).toEqual({
      value: '12.50',
      currencyID: 'EUR',
    });
  });

  it('includes inherited properties of an extension', () => {
    expect(normalise({ version: '1', total: '9.5', extra: 'x' }, ref('Derived'), resolve)).toEqual({
      version: '1',
      total: 9.5,
    });
  });

  it('keeps dates as ISO strings', () => {
    expect(
      normalise(new Date('2026-11-01T10:00:00Z'), { type: 'string', format: 'date-time' }, resolve),
    ).toBe('2026-11-01T10:00:00.000Z');
  });
});

describe('toSoapArguments', () => {
  it('sends attribute properties as attributes and simple content as $value', () => {
    expect(toSoapArguments({ value: '12.50', currency: 'EUR' }, ref('Amount'), resolve)).toEqual({
      $value: '12.50',
      attributes: { currency: 'EUR' },
    });
  });

  it('sends null as xsi:nil and leaves arrays as arrays', () => {
    expect(
      toSoapArguments(
        { level: [{ sku: 'A' }], note: null },
        {
          ...levels,
          properties: { ...(levels['properties'] as object), note: { type: ['string', 'null'] } },
        },
        resolve,
      ),
    ).toEqual({
      level: [{ sku: 'A' }],
      note: { attributes: { 'xsi:nil': 'true' } },
    });
  });
});
