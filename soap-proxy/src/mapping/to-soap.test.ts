import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../wsdl/json-schema.ts';
import { createResolver } from './schema-walk.ts';
import { toSoapArguments } from './to-soap.ts';

const DERIVED = 'urn:derived';
const BASE = 'urn:base';
const resolve = createResolver({});
// A type extending a base from another schema: `version` and `tags` are the base's elements.
const request: JsonSchema = {
  type: 'object',
  properties: {
    version: { type: 'string', xml: { namespace: BASE } },
    tags: { type: 'array', items: { type: 'string' }, xml: { namespace: BASE } },
    note: { type: ['string', 'null'], xml: { namespace: BASE } },
    flag: { type: 'boolean', xml: { namespace: DERIVED } },
    plain: { type: 'string' }, // unqualified: no xml.namespace
  },
  additionalProperties: false,
};

describe('toSoapArguments: elements in another namespace than their parent', () => {
  it('sends each under a prefix it declares itself (and as the default for its children), unqualified ones in no namespace', () => {
    expect(
      toSoapArguments(
        { version: '2.0', tags: ['a', 'b'], note: null, flag: true, plain: 'x' },
        request,
        resolve,
        DERIVED,
      ),
    ).toEqual({
      'mf0:version': { $value: '2.0', attributes: { 'xmlns:mf0': BASE, xmlns: BASE } },
      'mf0:tags': [
        { $value: 'a', attributes: { 'xmlns:mf0': BASE, xmlns: BASE } },
        { $value: 'b', attributes: { 'xmlns:mf0': BASE, xmlns: BASE } },
      ],
      'mf0:note': { attributes: { 'xsi:nil': 'true', 'xmlns:mf0': BASE, xmlns: BASE } },
      flag: true,
      plain: { $value: 'x', attributes: { xmlns: '' } },
    });
  });

  it('leaves names alone when the enclosing namespace is not known (rpc parts)', () => {
    expect(toSoapArguments({ version: '2.0' }, request, resolve)).toEqual({ version: '2.0' });
  });
});
