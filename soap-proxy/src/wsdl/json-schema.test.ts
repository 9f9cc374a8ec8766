import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { createSchemaValidator } from '@manifold/platform/openapi';
import { JsonSchemaBuilder } from './json-schema.ts';
import { SchemaIndex } from './schema-index.ts';

const TNS = 'urn:test';
const XSD = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${TNS}" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"
           xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="${TNS}">
  <xs:complexType name="Category">
    <xs:sequence>
      <xs:element name="name" type="xs:string"/>
      <xs:element name="parent" type="tns:Category" minOccurs="0"/>
      <xs:element name="children" type="tns:Category" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Payment">
    <xs:sequence>
      <xs:choice>
        <xs:element name="card" type="xs:string"/>
        <xs:element name="iban" type="xs:string"/>
      </xs:choice>
      <xs:element ref="tns:amount"/>
      <xs:group ref="tns:audit"/>
    </xs:sequence>
    <xs:attribute name="currency" type="tns:Currency" use="required"/>
    <xs:attribute name="note" type="xs:string"/>
  </xs:complexType>
  <xs:element name="amount" type="xs:decimal"/>
  <xs:group name="audit"><xs:sequence><xs:element name="createdBy" type="xs:string" nillable="true"/></xs:sequence></xs:group>
  <xs:simpleType name="Currency"><xs:restriction base="xs:string"><xs:enumeration value="EUR"/><xs:enumeration value="USD"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Priority"><xs:restriction base="xs:int"><xs:enumeration value="10"/><xs:enumeration value="20"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Percent"><xs:restriction base="xs:double"><xs:minInclusive value="0"/><xs:maxExclusive value="100"/></xs:restriction></xs:simpleType>
  <xs:complexType name="CardPayment">
    <xs:complexContent><xs:extension base="tns:Payment"><xs:sequence><xs:element name="cvv" type="xs:string"/></xs:sequence></xs:extension></xs:complexContent>
  </xs:complexType>
  <xs:complexType name="Tags">
    <xs:sequence><xs:element name="tag" type="xs:string" nillable="true" minOccurs="0" maxOccurs="3"/></xs:sequence>
  </xs:complexType>
  <xs:complexType name="CategoryArray">
    <xs:complexContent><xs:restriction base="soapenc:Array"><xs:attribute ref="soapenc:arrayType" wsdl:arrayType="tns:Category[]"/></xs:restriction></xs:complexContent>
  </xs:complexType>
  <xs:complexType name="Extensible">
    <xs:sequence><xs:element name="id" type="xs:string"/><xs:any processContents="lax" minOccurs="0"/></xs:sequence>
  </xs:complexType>
  <xs:complexType name="Attributed">
    <xs:sequence><xs:element name="id" type="xs:string"/></xs:sequence><xs:anyAttribute/>
  </xs:complexType>
  <xs:complexType name="Counts">
    <xs:sequence>
      <xs:element name="title" type="xs:string"/>
      <xs:sequence minOccurs="0" maxOccurs="unbounded"><xs:element name="key" type="xs:string"/><xs:element name="count" type="xs:int"/></xs:sequence>
      <xs:choice maxOccurs="unbounded"><xs:element name="tag" type="xs:string"/><xs:element name="flag" type="xs:boolean"/></xs:choice>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Contact">
    <xs:sequence>
      <xs:element name="name" type="xs:string"/>
      <xs:choice minOccurs="0"><xs:element name="email" type="xs:string"/><xs:element name="phone" type="xs:string"/></xs:choice>
    </xs:sequence>
  </xs:complexType>
  <xs:simpleType name="Level"><xs:restriction base="xs:int"><xs:minInclusive value="0"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Rank"><xs:restriction base="tns:Level"><xs:enumeration value="1"/><xs:enumeration value="2"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="TopRank"><xs:restriction base="tns:Rank"><xs:maxInclusive value="1"/></xs:restriction></xs:simpleType>
</xs:schema>`;

/** Where each unknown property sits, from Ajv's errors. */
const pointers = (validate: { errors?: unknown }) =>
  (
    (validate.errors ?? []) as {
      instancePath: string;
      params: { additionalProperty?: string; unevaluatedProperty?: string };
    }[]
  ).map(
    ({ instancePath, params }) =>
      `${instancePath}/${params.additionalProperty ?? params.unevaluatedProperty ?? ''}`,
  );

function build() {
  const schema = new DOMParser().parseFromString(XSD, 'text/xml').documentElement!;
  const builder = new JsonSchemaBuilder(new SchemaIndex([schema]));
  const ref = (name: string) => builder.typeRef({ ns: TNS, name }, 'test');
  return { builder, ref };
}

describe('JsonSchemaBuilder', () => {
  it('turns a recursive type into a $ref cycle, optional and repeated elements into optional arrays', () => {
    const { builder, ref } = build();
    expect(ref('Category')).toEqual({ $ref: '#/components/schemas/Category' });
    expect(builder.components['Category']).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string' },
        parent: { $ref: '#/components/schemas/Category' },
        children: { type: 'array', items: { $ref: '#/components/schemas/Category' } },
      },
      required: ['name'],
      additionalProperties: false,
    });
  });

  it('maps choice to exactly-one-of, resolves element and group refs, and maps attributes', () => {
    const { builder, ref } = build();
    ref('Payment');
    const validate = createSchemaValidator({ components: { schemas: builder.components } }).compile(
      ref('Payment'),
    );
    const base = { amount: '12.50', createdBy: null, currency: 'EUR' };
    expect(validate({ ...base, card: '4111' })).toBe(true);
    expect(validate({ ...base, iban: 'DE89' })).toBe(true);
    expect(validate({ ...base, card: '4111', iban: 'DE89' })).toBe(false); // both branches of the choice
    expect(validate({ ...base })).toBe(false); // neither
    expect(validate({ ...base, card: '4111', currency: 'GBP' })).toBe(false); // enum
    expect(validate({ ...base, card: '4111', amount: 'twelve' })).toBe(false); // decimal pattern
    const { currency: _currency, ...withoutCurrency } = base;
    expect(validate({ ...withoutCurrency, card: '4111' })).toBe(false); // use="required" attribute
  });

  it('keeps numeric enums and bounds numeric', () => {
    const { builder, ref } = build();
    ref('Priority');
    ref('Percent');
    expect(builder.components['Priority']).toMatchObject({ type: 'integer', enum: [10, 20] });
    expect(builder.components['Percent']).toMatchObject({
      type: 'number',
      minimum: 0,
      exclusiveMaximum: 100,
    });
  });

  it('models extension as allOf of the base and the added elements, closed as a whole', () => {
    const { builder, ref } = build();
    ref('CardPayment');
    expect(builder.components['CardPayment']).toEqual({
      allOf: [
        { $ref: '#/components/schemas/Payment' },
        { type: 'object', properties: { cvv: { type: 'string' } }, required: ['cvv'] },
      ],
      unevaluatedProperties: false,
    });
    // Payment is extended, so its component stays open; a use of Payment itself closes it.
    expect(builder.components['Payment']).not.toHaveProperty('additionalProperties');
    expect(ref('Payment')).toEqual({
      $ref: '#/components/schemas/Payment',
      unevaluatedProperties: false,
    });
  });

  it('bounds arrays by maxOccurs and lets nillable items be null', () => {
    const { builder, ref } = build();
    ref('Tags');
    expect(builder.components['Tags']).toEqual({
      type: 'object',
      properties: { tag: { type: 'array', items: { type: ['string', 'null'] }, maxItems: 3 } },
      additionalProperties: false,
    });
  });

  it('reads a SOAP-ENC array as an array of its arrayType, wrapped in one element', () => {
    const { builder, ref } = build();
    ref('CategoryArray');
    expect(builder.components['CategoryArray']).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/Category' },
      // The envelope writer's xsi:type and SOAP-ENC:arrayType.
      xml: {
        wrapped: true,
        'x-array-type': '{urn:test}CategoryArray',
        'x-item-type': '{urn:test}Category',
      },
    });
  });

  it('closes object schemas: a property the XSD does not declare is invalid', () => {
    const { builder, ref } = build();
    const validate = createSchemaValidator({ components: { schemas: builder.components } }).compile(
      ref('Category'),
    );
    expect(validate({ name: 'Tools' })).toBe(true);
    expect(validate({ name: 'Tools', injected: 'hello' })).toBe(false);
    expect(pointers(validate)).toEqual(['/injected']);
    expect(validate({ name: 'Tools', children: [{ name: 'Saws', colour: 'red' }] })).toBe(false);
    expect(pointers(validate)).toEqual(['/children/0/colour']);
  });

  it('keeps extensions closed too: base and added properties are valid, nothing else', () => {
    const { builder, ref } = build();
    const validator = createSchemaValidator({ components: { schemas: builder.components } });
    const card = validator.compile(ref('CardPayment'));
    const payment = validator.compile(ref('Payment'));
    const base = { amount: '1.00', createdBy: 'me', currency: 'EUR', card: '4111' };
    expect(card({ ...base, cvv: '123' })).toBe(true);
    expect(card({ ...base, cvv: '123', injected: 'x' })).toBe(false);
    expect(payment(base)).toBe(true);
    expect(payment({ ...base, cvv: '123' })).toBe(false); // cvv belongs to the extension only
  });

  it('leaves types with xsd:any or anyAttribute open', () => {
    const { builder, ref } = build();
    ref('Extensible');
    ref('Attributed');
    expect(builder.components['Extensible']).toMatchObject({ additionalProperties: true });
    expect(builder.components['Attributed']).toMatchObject({ additionalProperties: true });
    const validate = createSchemaValidator({ components: { schemas: builder.components } }).compile(
      ref('Extensible'),
    );
    expect(validate({ id: '1', anything: { nested: true } })).toBe(true);
  });

  it('makes elements of a repeating sequence or choice arrays', () => {
    const { builder, ref } = build();
    ref('Counts');
    expect(builder.components['Counts']).toMatchObject({
      properties: {
        title: { type: 'string' },
        key: { type: 'array', items: { type: 'string' } },
        count: { type: 'array', items: { type: 'integer' } },
        tag: { type: 'array', items: { type: 'string' } },
        flag: { type: 'array', items: { type: 'boolean' } },
      },
      required: ['title'],
    });
    const validate = createSchemaValidator({ components: { schemas: builder.components } }).compile(
      ref('Counts'),
    );
    expect(validate({ title: 't', key: ['a', 'b'], count: [1, 2], tag: ['x'], flag: [true] })).toBe(
      true,
    );
    expect(validate({ title: 't', tag: ['x'] })).toBe(true);
    expect(validate({ title: 't' })).toBe(false); // the repeating choice occurs at least once
  });

  it('allows no branch of an optional choice, but never two', () => {
    const { builder, ref } = build();
    const validate = createSchemaValidator({ components: { schemas: builder.components } }).compile(
      ref('Contact'),
    );
    expect(validate({ name: 'Ann' })).toBe(true);
    expect(validate({ name: 'Ann', email: 'ann@example.com' })).toBe(true);
    expect(validate({ name: 'Ann', phone: '+31' })).toBe(true);
    expect(validate({ name: 'Ann', email: 'ann@example.com', phone: '+31' })).toBe(false);
  });

  it('keeps enumerations and bounds of a user-defined numeric type numeric', () => {
    const { builder, ref } = build();
    const validator = createSchemaValidator({ components: { schemas: builder.components } });
    const rank = validator.compile(ref('Rank'));
    expect(builder.components['Rank']).toMatchObject({ type: 'integer' });
    expect(JSON.stringify(builder.components['Rank'])).toContain('"enum":[1,2]');
    expect(rank(1)).toBe(true);
    expect(rank(2)).toBe(true);
    expect(rank('1')).toBe(false);
    expect(rank(3)).toBe(false);
    const top = validator.compile(ref('TopRank'));
    expect(builder.components['TopRank']).toMatchObject({ type: 'integer' });
    expect(top(1)).toBe(true);
    expect(top(2)).toBe(false); // maxInclusive of the restriction of a restriction
  });

  it('names the culprit when a referenced type is missing', () => {
    const { builder } = build();
    expect(() => builder.typeRef({ ns: TNS, name: 'Nope' }, 'element x')).toThrow(
      /element x references simpleType \{urn:test\}Nope/,
    );
  });
});
