// What soap-proxy says when a supplier answers something other than the expected SOAP message:
// the detail names what came back, never a misleading "answered HTTP 200".
import { describe, expect, it } from 'vitest';
import { fixture, httpServer, registerCleanup, serveProxy } from './round-trip-support.ts';

registerCleanup();

const CALCULATOR = fixture('dneonline-calculator/CalculatorService.wsdl');

/** A supplier that answers every call with `status`, `contentType` and `body`. */
async function answering(status: number, contentType: string, body: string) {
  const url = await httpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    });
  });
  return `${url}/`;
}

const envelope = (body: string) =>
  `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

describe('answers that are not the expected SOAP message', () => {
  it.each([
    [
      'an HTML page with HTTP 200',
      200,
      'text/html',
      '<!doctype html><html><body>Maintenance</body></html>',
      /answered Add with HTTP 200 and .*not well-formed XML|answered Add with HTTP 200 and an XML document whose root is <html>/,
    ],
    [
      'an XML document that is no envelope',
      200,
      'text/xml',
      '<status>ok</status>',
      /answered Add with HTTP 200 and an XML document whose root is <status> \(text\/xml\), not a SOAP envelope/,
    ],
    [
      'another operation’s answer',
      200,
      'text/xml',
      envelope(
        '<SubtractResponse xmlns="http://tempuri.org/"><SubtractResult>1</SubtractResult></SubtractResponse>',
      ),
      /answered Add with <SubtractResponse> where <AddResponse> was expected/,
    ],
    [
      'an empty Body',
      200,
      'text/xml',
      envelope(''),
      /answered Add with an empty Body where <AddResponse> was expected/,
    ],
  ])(
    '%s: 502 UPSTREAM_ERROR whose detail says what came back',
    async (_what, status, type, body, detail) => {
      const proxy = await serveProxy('calc', CALCULATOR, await answering(status, type, body));
      const answer = await proxy.call('/api/v1/calc/Add', { intA: 1, intB: 2 });
      expect(answer.status).toBe(502);
      expect(answer.body['code']).toBe('UPSTREAM_ERROR');
      expect(answer.body['detail']).toMatch(detail);
      expect(answer.body['detail']).not.toMatch(/answered HTTP 200$/);
    },
  );

  it('an HTTP 503 without a SOAP fault stays a transient 503 UPSTREAM_UNAVAILABLE', async () => {
    const proxy = await serveProxy('calc', CALCULATOR, await answering(503, 'text/plain', 'busy'));
    const answer = await proxy.call('/api/v1/calc/Add', { intA: 1, intB: 2 });
    expect(answer.status).toBe(503);
    expect(answer.body['code']).toBe('UPSTREAM_UNAVAILABLE');
  });
});
