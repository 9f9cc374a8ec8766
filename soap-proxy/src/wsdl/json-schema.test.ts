import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { createSchemaValidator } from '@manifold/platform/openapi-validator';
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
</xs:schema>`;

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

  it('models extension as allOf of the base and the added elements', () => {
    const { builder, ref } = build();
    ref('CardPayment');
    expect(builder.components['CardPayment']).toEqual({
      allOf: [
        { $ref: '#/components/schemas/Payment' },
        { type: 'object', properties: { cvv: { type: 'string' } }, required: ['cvv'] },
      ],
    });
  });

  it('bounds arrays by maxOccurs and lets nillable items be null', () => {
    const { builder, ref } = build();
    ref('Tags');
    expect(builder.components['Tags']).toEqual({
      type: 'object',
      properties: { tag: { type: 'array', items: { type: ['string', 'null'] }, maxItems: 3 } },
    });
  });

  it('reads a SOAP-ENC array as an array of its arrayType', () => {
    const { builder, ref } = build();
    ref('CategoryArray');
    expect(builder.components['CategoryArray']).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/Category' },
    });
  });

  it('names the culprit when a referenced type is missing', () => {
    const { builder } = build();
    expect(() => builder.typeRef({ ns: TNS, name: 'Nope' }, 'element x')).toThrow(
      /element x references simpleType \{urn:test\}Nope/,
    );
  });
});
