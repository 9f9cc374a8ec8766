import { describe, expect, it } from 'vitest';
import { envelopeTree } from './envelope-tree.ts';
import { fixture, phpDouble, registerCleanup, serveProxy } from './round-trip-support.ts';
import { createXsdValidator } from './xsd-validator.ts';

registerCleanup();

const WSDL = fixture('soapbuilders-round3-headers/round3_groupF_headers.wsdl');
const XSD = (name: string) => `{http://soapinterop.org/xsd}${name}`;
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

describe('SOAP headers (SOAPBuilders round 3 group F, served by PHP ext/soap)', () => {
  it('sends a configured header with mustUnderstand and actor, and a caller’s header from its HTTP header, each in its own namespace', async () => {
    const php = await phpDouble('headers-double.php', { HEADERS_WSDL: WSDL });
    const proxy = await serveProxy('headers', WSDL, php.url, {
      soapHeaders: {
        Header1: {
          value: { int: 7, string: 'configured' },
          mustUnderstand: true,
          actor: 'http://schemas.xmlsoap.org/soap/actor/next',
        },
      },
    });
    // Keys in another order than the schema's: the envelope follows the schema.
    const answer = await proxy.call(
      '/api/v1/headers/echoString',
      { a: 'hello' },
      { 'SOAP-Header-Header2': JSON.stringify({ string: 'per-call', int: 2 }) },
    );
    expect(answer.status).toBe(200);
    // What PHP read from each header: both arrived, in their namespace, in sequence order.
    expect(answer.body).toEqual({ result: 'hello h1=configured/7 h2=2/per-call' });

    const [sent] = php.envelopes();
    expect(envelopeTree(sent ?? '')).toEqual({
      envelope: `{${SOAP11}}Envelope`,
      header: [
        {
          element: XSD('Header1'),
          attributes: {
            [`{${SOAP11}}mustUnderstand`]: '1',
            [`{${SOAP11}}actor`]: 'http://schemas.xmlsoap.org/soap/actor/next',
          },
          children: [
            { element: XSD('string'), text: 'configured' },
            { element: XSD('int'), text: '7' },
          ],
        },
        {
          element: XSD('Header2'),
          children: [
            { element: XSD('int'), text: '2' },
            { element: XSD('string'), text: 'per-call' },
          ],
        },
      ],
      body: [{ element: XSD('echoStringParam'), text: 'hello' }],
    });
    const verdicts = await (await createXsdValidator(WSDL)).validate(php.envelopes());
    expect(verdicts.filter((verdict) => !verdict.valid)).toEqual([]);
    expect(verdicts).toHaveLength(3);
  });

  it('documents the headers a caller may send as parameters, and refuses one that does not match its schema', async () => {
    const php = await phpDouble('headers-double.php', { HEADERS_WSDL: WSDL });
    const proxy = await serveProxy('headers', WSDL, php.url);
    const post = (
      proxy.service.api.document['paths'] as Record<
        string,
        { post: { parameters: { name: string; in: string }[] } }
      >
    )['/api/v1/headers/echoString']!.post;
    expect(post.parameters.map(({ name, in: where }) => [name, where])).toEqual([
      ['X-Request-Id', 'header'],
      ['SOAP-Header-Header1', 'header'],
      ['SOAP-Header-Header2', 'header'],
    ]);
    const wrong = await proxy.call(
      '/api/v1/headers/echoString',
      { a: 'x' },
      { 'SOAP-Header-Header1': JSON.stringify({ string: 's', int: 'not a number' }) },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body['errors']).toEqual([
      { pointer: '/SOAP-Header-Header1/int', detail: 'must be integer' },
    ]);
    const notJson = await proxy.call(
      '/api/v1/headers/echoString',
      { a: 'x' },
      { 'SOAP-Header-Header2': '{' },
    );
    expect(notJson.status).toBe(400);
    expect(php.envelopes()).toHaveLength(0);
  });
});

describe('WSDL files with a byte-order mark or in UTF-16', () => {
  for (const variant of ['utf8-bom', 'utf16'])
    it(`loads round3_groupF_headers.${variant}.wsdl as it loads the plain file`, async () => {
      const plain = await serveProxy('plain', WSDL, 'http://127.0.0.1:9/');
      const encoded = await serveProxy(
        'plain',
        fixture(`soapbuilders-round3-headers/round3_groupF_headers.${variant}.wsdl`),
        'http://127.0.0.1:9/',
      );
      expect(encoded.service.api.document).toEqual(plain.service.api.document);
    });
});
