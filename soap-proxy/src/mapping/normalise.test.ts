import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { JsonSchemaBuilder, type JsonSchema } from '../wsdl/json-schema.ts';
import { SchemaIndex } from '../wsdl/schema-index.ts';
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

/** Schemas as the builder makes them from XSD, so normalise is tested on what it really gets. */
function fromXsd(types: string) {
  const xsd = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:n" targetNamespace="urn:n">${types}</xs:schema>`;
  const builder = new JsonSchemaBuilder(
    new SchemaIndex([new DOMParser().parseFromString(xsd, 'text/xml').documentElement!]),
  );
  const typeRef = (name: string) => builder.typeRef({ ns: 'urn:n', name }, 'test');
  return { typeRef, resolve: createResolver(builder.components) };
}

describe('normalise answers shaped by XSD compositors', () => {
  const { typeRef, resolve: resolveXsd } = fromXsd(`
    <xs:complexType name="Counts"><xs:sequence>
      <xs:element name="title" type="xs:string"/>
      <xs:sequence minOccurs="0" maxOccurs="unbounded"><xs:element name="key" type="xs:string"/><xs:element name="count" type="xs:int"/></xs:sequence>
      <xs:choice minOccurs="0" maxOccurs="unbounded"><xs:element name="tag" type="xs:string"/><xs:element name="flag" type="xs:boolean"/></xs:choice>
    </xs:sequence></xs:complexType>
    <xs:simpleType name="Level"><xs:restriction base="xs:int"><xs:minInclusive value="0"/></xs:restriction></xs:simpleType>
    <xs:simpleType name="Priority"><xs:restriction base="tns:Level"><xs:enumeration value="10"/><xs:enumeration value="20"/></xs:restriction></xs:simpleType>`);

  it('returns elements of a repeating sequence or choice as arrays for 0, 1 and n occurrences', () => {
    const counts = typeRef('Counts');
    expect(normalise({ title: 'none' }, counts, resolveXsd)).toEqual({
      title: 'none',
      key: [],
      count: [],
      tag: [],
      flag: [],
    });
    expect(
      normalise({ title: 'one', key: 'a', count: '1', flag: 'true' }, counts, resolveXsd),
    ).toEqual({ title: 'one', key: ['a'], count: [1], tag: [], flag: [true] });
    expect(
      normalise(
        { title: 'n', key: ['a', 'b'], count: ['1', '2'], tag: ['x', 'y'], flag: 'false' },
        counts,
        resolveXsd,
      ),
    ).toEqual({ title: 'n', key: ['a', 'b'], count: [1, 2], tag: ['x', 'y'], flag: [false] });
  });

  it('types an enumeration of a user-defined numeric type as a number', () => {
    expect(normalise('10', typeRef('Priority'), resolveXsd)).toBe(10);
  });
});

describe('toSoapArguments', () => {
  it('drops properties the schema does not list, at every level', () => {
    const order: JsonSchema = {
      type: 'object',
      properties: { sku: { type: 'string' }, lines: { type: 'array', items: ref('Level') } },
      additionalProperties: false,
    };
    expect(
      toSoapArguments(
        { sku: 'A', injected: 'hello', lines: [{ sku: 'B', available: 1, evil: '<x/>' }] },
        order,
        resolve,
      ),
    ).toEqual({ sku: 'A', lines: [{ sku: 'B', available: 1 }] });
  });

  it("forwards undeclared properties of an open type, but never node-soap's control keys", () => {
    const open: JsonSchema = {
      type: 'object',
      properties: { id: { type: 'string' } },
      additionalProperties: true,
    };
    expect(
      toSoapArguments(
        { id: '1', extra: 'kept', $xml: '<evil/>', $value: 'text', attributes: { a: '1' } },
        open,
        resolve,
      ),
    ).toEqual({ id: '1', extra: 'kept' });
  });

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
