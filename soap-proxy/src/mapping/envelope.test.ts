import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../openapi/document.ts';
import { createSoapExchange } from '../services/soap-exchange.ts';
import { loadWsdlDocuments } from '../wsdl/load.ts';
import { describeWsdl } from '../wsdl/model.ts';
import type { JsonSchema } from '../wsdl/json-schema.ts';
import { envelopeTree } from '../../test/envelope-tree.ts';
import { createExactNumbers } from './exact-numbers.ts';
import { createResolver } from './schema-walk.ts';

const SHAPES = fileURLToPath(new URL('../../test/fixtures/shapes.wsdl', import.meta.url));
const S = (name: string) => `{urn:shapes}${name}`;
const H = (name: string) => `{urn:shapes:headers}${name}`;
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

async function exchange() {
  const api = buildOpenApi(describeWsdl(await loadWsdlDocuments(SHAPES)));
  const resolve = createResolver(
    (api.document['components'] as { schemas: Record<string, JsonSchema> }).schemas,
  );
  const [rest] = api.operations;
  return createSoapExchange(rest!, {
    upstream: 'shop',
    resolve,
    headerFields: rest!.inputHeaders,
    headerFlags: {},
    extraHeaders: () => [],
  });
}

const text = (element: string, value: string) => ({ element, text: value });

describe('writing an envelope', () => {
  it('follows the schema’s order whatever the JSON’s, interleaves a repeating sequence, fills fixed and required defaulted values', async () => {
    const numbers = createExactNumbers();
    // Keys in reverse schema order; `version` (fixed) and `channel` (default) left out.
    const input = JSON.parse(
      '{"note": null, "card": "4111", "quantity": [1, 2], "sku": ["A", "B"], "placedAt": "2026-12-03T10:00:00", "total": 12.50, "id": "PO-1", "origin": "eu"}',
      numbers.reviver,
    ) as unknown;
    const request = (await exchange()).request(
      input,
      { Locale: 'de-CH', Auth: { key: 'k', user: 'u' } },
      numbers.inexact,
    );
    expect(request.problems).toEqual([]);
    expect(envelopeTree(request.finish({}))).toEqual({
      envelope: '{http://schemas.xmlsoap.org/soap/envelope/}Envelope',
      header: [
        { element: H('Auth'), children: [text(H('user'), 'u'), text(H('key'), 'k')] },
        text(H('Locale'), 'de-CH'),
      ],
      body: [
        {
          element: S('Order'),
          attributes: { [S('origin')]: 'eu' },
          children: [
            text(S('id'), 'PO-1'),
            text(S('version'), '2'),
            text(S('channel'), 'web'),
            text(S('total'), '12.5'),
            text(S('placedAt'), '2026-12-03T10:00:00'),
            text(S('sku'), 'A'),
            text(S('quantity'), '1'),
            text(S('sku'), 'B'),
            text(S('quantity'), '2'),
            text(S('card'), '4111'),
            { element: S('note'), attributes: { [`{${XSI}}nil`]: 'true' } },
          ],
        },
      ],
    });
  });

  it('refuses a decimal sent as a JSON number that lost digits, with its pointer', async () => {
    const numbers = createExactNumbers();
    const input = JSON.parse(
      '{"id": "1", "total": 12345678901234567890.12, "placedAt": "2026-12-03T10:00:00Z", "sku": ["A"], "quantity": [1], "card": "x"}',
      numbers.reviver,
    ) as unknown;
    const request = (await exchange()).request(input, {}, numbers.inexact);
    expect(request.problems).toEqual([
      {
        pointer: '/total',
        detail: 'has more digits than a JSON number holds exactly: send it as a string',
      },
    ]);
  });
});

describe('reading an answer', () => {
  const answer = (body: string, header = '') => ({
    status: 200,
    headers: { 'content-type': 'text/xml' },
    text: `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="${XSI}"><e:Header>${header}</e:Header><e:Body>${body}</e:Body></e:Envelope>`,
  });

  it('types the JSON by the schema: arrays for 0, 1 and n repeats, text kept as sent, nil as null, answer headers by name', async () => {
    const read = await exchange();
    const lines = ['', '<line sku="A">1</line>', '<line sku="A">1</line><line sku="B">2</line>'];
    const results = lines.map(
      (line) =>
        read.answer(
          answer(
            `<OrderResponse xmlns="urn:shapes"><accepted>1</accepted><total>0.10</total><at>2026-12-03T10:00:00</at>${line}<note x:nil="true"/></OrderResponse>`,
            '<Usage xmlns="urn:shapes:headers"><remaining>41</remaining></Usage>',
          ),
        ).body,
    );
    expect(results.map((result) => (result as { line: unknown[] }).line)).toEqual([
      [],
      [{ value: 1, sku: 'A' }],
      [
        { value: 1, sku: 'A' },
        { value: 2, sku: 'B' },
      ],
    ]);
    expect(results[0]).toMatchObject({
      accepted: true,
      total: '0.10',
      at: '2026-12-03T10:00:00',
      note: null,
    });
    const { headers } = read.answer(
      answer(
        '<OrderResponse xmlns="urn:shapes"><accepted>true</accepted><total>1</total><at>2026-12-03T10:00:00Z</at><note/></OrderResponse>',
        '<Usage xmlns="urn:shapes:headers"><remaining>41</remaining></Usage>',
      ),
    );
    expect(headers).toEqual({ Usage: { remaining: 41 } });
  });

  it('names what came back when it is not the expected element', async () => {
    const read = await exchange();
    expect(() => read.answer(answer('<Other xmlns="urn:shapes"/>'))).toThrow(
      'shop answered PlaceOrder with <Other> where <OrderResponse> was expected',
    );
  });
});
