import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  fixture,
  lastEnvelope,
  phpDouble,
  registerCleanup,
  roundTrip,
  serveProxy,
} from './round-trip-support.ts';
import { envelopeTree } from './envelope-tree.ts';
import { createXsdValidator } from './xsd-validator.ts';
import { soapFault } from './soap-double.ts';

const SOAP11 = '{http://schemas.xmlsoap.org/soap/envelope/}Envelope';
const SOAP12 = '{http://www.w3.org/2003/05/soap-envelope}Envelope';
/** An element in a namespace, with text or children. */
const el = (element: string, content?: string | object[]) =>
  content === undefined
    ? { element }
    : typeof content === 'string'
      ? { element, text: content }
      : { element, children: content };

registerCleanup();

/** Every envelope a PHP double received is valid against the WSDL's own schemas (xmllint). */
async function expectValidEnvelopes(wsdl: string, envelopes: string[]) {
  expect(envelopes.length).toBeGreaterThan(0);
  const verdicts = await (await createXsdValidator(wsdl)).validate(envelopes);
  expect(verdicts.filter((verdict) => !verdict.valid)).toEqual([]);
}

describe('round trips against SOAP servers built from the real-world WSDLs', () => {
  it('dneonline calculator: SOAP 1.1 and 1.2 ports, and a fault', async () => {
    const add = (args: { intA: string; intB: string }) => ({
      AddResult: Number(args.intA) + Number(args.intB),
    });
    const divide = (args: { intA: string; intB: string }) => {
      if (Number(args.intB) === 0)
        soapFault({ faultcode: 'soap:Client', faultstring: 'Division by zero' });
      return { DivideResult: Math.trunc(Number(args.intA) / Number(args.intB)) };
    };
    const rt = await roundTrip('calc', fixture('dneonline-calculator/CalculatorService.wsdl'), {
      Calculator: {
        CalculatorSoap: { Add: add, Divide: divide },
        CalculatorSoap12: { Add: add, Divide: divide },
      },
    });

    const sum = await rt.call('/api/v1/calc/Add', { intA: 2, intB: 40 });
    expect(sum).toMatchObject({ status: 200, body: { AddResult: 42 } });
    rt.expectValidOutput('/api/v1/calc/Add', sum.body);
    const soap11 = lastEnvelope(rt.double);
    const tempuri = (name: string) => `{http://tempuri.org/}${name}`;
    expect(envelopeTree(soap11.body)).toEqual({
      envelope: SOAP11,
      body: [el(tempuri('Add'), [el(tempuri('intA'), '2'), el(tempuri('intB'), '40')])],
    });
    expect(soap11.soapAction).toBe('"http://tempuri.org/Add"');

    const sum12 = await rt.call('/api/v1/calc/CalculatorSoap12/Add', { intA: 1, intB: 1 });
    expect(sum12.body).toEqual({ AddResult: 2 });
    const soap12 = lastEnvelope(rt.double);
    expect(envelopeTree(soap12.body)).toEqual({
      envelope: SOAP12,
      body: [el(tempuri('Add'), [el(tempuri('intA'), '1'), el(tempuri('intB'), '1')])],
    });
    expect(soap12.contentType).toContain('application/soap+xml');

    const fault = await rt.call('/api/v1/calc/Divide', { intA: 1, intB: 0 });
    expect(fault.status).toBe(422);
    expect(fault.body).toMatchObject({ code: 'UPSTREAM_REJECTED', detail: 'Division by zero' });
  });

  it('oorsprong country info: arrays of 0, 1 and n items, empty request elements', async () => {
    let countries: { sISOCode: string; sName: string }[] = [];
    const port = {
      ListOfCountryNamesByName: () => ({
        ListOfCountryNamesByNameResult: { tCountryCodeAndName: countries },
      }),
      CountryISOCode: (args: { sCountryName: string }) => {
        if (args.sCountryName === '')
          soapFault({ faultcode: 'soap:Server', faultstring: 'Lookup failed' });
        return { CountryISOCodeResult: 'NL' };
      },
    };
    // node-soap's server answers on whichever port it matches: implement both.
    const rt = await roundTrip(
      'countries',
      fixture('oorsprong-countryinfo/CountryInfoService.wsdl'),
      {
        CountryInfoService: { CountryInfoServiceSoap: port, CountryInfoServiceSoap12: port },
      },
    );
    const path = '/api/v1/countries/ListOfCountryNamesByName';
    for (const list of [
      [],
      [{ sISOCode: 'NL', sName: 'Netherlands' }],
      [
        { sISOCode: 'DE', sName: 'Germany' },
        { sISOCode: 'FR', sName: 'France' },
      ],
    ]) {
      countries = list;
      const { status, body } = await rt.call(path, {});
      expect(status).toBe(200);
      expect(body).toEqual({ ListOfCountryNamesByNameResult: { tCountryCodeAndName: list } });
      rt.expectValidOutput(path, body);
    }
    expect(envelopeTree(lastEnvelope(rt.double).body)).toEqual({
      envelope: SOAP11,
      body: [el('{http://www.oorsprong.org/websamples.countryinfo}ListOfCountryNamesByName')],
    });
    const failed = await rt.call('/api/v1/countries/CountryISOCode', { sCountryName: '' });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ code: 'UPSTREAM_ERROR', detail: 'Lookup failed' });
  });

  it('EU VIES: dates, booleans, nillable fields, and a fault the WSDL never declared', async () => {
    const rt = await roundTrip('vies', fixture('eu-vies-checkvat/checkVatService.wsdl'), {
      checkVatService: {
        checkVatPort: {
          checkVat: (args: { countryCode: string; vatNumber: string }) => {
            if (args.countryCode === 'XX')
              soapFault({ faultcode: 'soap:Server', faultstring: 'INVALID_INPUT' });
            return {
              countryCode: args.countryCode,
              vatNumber: args.vatNumber,
              requestDate: '2026-11-24+01:00',
              valid: true,
              name: 'ACME GmbH',
            };
          },
        },
      },
    });
    const ok = await rt.call('/api/v1/vies/checkVat', {
      countryCode: 'DE',
      vatNumber: '123456789',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ countryCode: 'DE', valid: true, name: 'ACME GmbH' });
    const vies = (name: string) => `{urn:ec.europa.eu:taxud:vies:services:checkVat:types}${name}`;
    expect(envelopeTree(lastEnvelope(rt.double).body)).toEqual({
      envelope: SOAP11,
      body: [
        el(vies('checkVat'), [el(vies('countryCode'), 'DE'), el(vies('vatNumber'), '123456789')]),
      ],
    });
    const invalid = await rt.call('/api/v1/vies/checkVat', { countryCode: 'XX', vatNumber: '1' });
    expect(invalid.status).toBe(502);
    expect(invalid.body['detail']).toBe('INVALID_INPUT');
  });

  it('MantisBT rpc/encoded against PHP ext/soap: a zero-part request, SOAP-ENC arrays of 0, 1 and n items, a fault', async () => {
    const wsdl = fixture('mantisbt-mantisconnect/mantisconnect.wsdl');
    const statuses = join(mkdtempSync(join(tmpdir(), 'mantis-')), 'statuses.json');
    writeFileSync(statuses, '[]');
    const php = await phpDouble('mantis-double.php', {
      MANTIS_WSDL: wsdl,
      STATUSES_FILE: statuses,
    });
    const proxy = await serveProxy('mantis', wsdl, php.url);
    const version = await proxy.call('/api/v1/mantis/mc_version', {});
    expect(version).toMatchObject({ status: 200, body: { return: '2.26.0' } });
    const mantis = (name: string) => `{http://futureware.biz/mantisconnect}${name}`;
    // rpc/encoded: the wrapper says it is encoded, each part carries its xsi:type.
    const encodingStyle = {
      '{http://schemas.xmlsoap.org/soap/envelope/}encodingStyle':
        'http://schemas.xmlsoap.org/soap/encoding/',
    };
    const typed = (name: string, text: string) => ({
      ...el(`{}${name}`, text),
      attributes: { '{http://www.w3.org/2001/XMLSchema-instance}type': 'xsd:string' },
    });
    expect(envelopeTree(php.envelopes().at(-1) ?? '')).toEqual({
      envelope: SOAP11,
      body: [{ ...el(mantis('mc_version')), attributes: encodingStyle }],
    });

    const path = '/api/v1/mantis/mc_enum_status';
    for (const list of [
      [],
      [{ id: 10, name: 'new' }],
      [
        { id: 10, name: 'new' },
        { id: 80, name: 'resolved' },
      ],
    ]) {
      writeFileSync(statuses, JSON.stringify(list));
      const { status, body } = await proxy.call(path, { username: 'admin', password: 'secret' });
      expect(status).toBe(200);
      expect(body).toEqual({ return: list });
      proxy.expectValidOutput(path, body);
    }
    // rpc: the operation element in the soap:body namespace, one unqualified child per part.
    expect(envelopeTree(php.envelopes().at(-1) ?? '')).toEqual({
      envelope: SOAP11,
      body: [
        {
          ...el(mantis('mc_enum_status'), [
            typed('username', 'admin'),
            typed('password', 'secret'),
          ]),
          attributes: encodingStyle,
        },
      ],
    });

    const denied = await proxy.call(path, { username: 'guest', password: 'x' });
    expect(denied.status).toBe(422);
    expect(denied.body['detail']).toBe('Access denied');
    await expectValidEnvelopes(wsdl, php.envelopes());
  });

  it('PayPal: imported XSDs, extension types and attributes (served by PHP ext/soap from the same WSDL)', async () => {
    const wsdl = fixture('paypal-api/PayPalSvc.wsdl');
    const php = await phpDouble('paypal-double.php', { PAYPAL_WSDL: wsdl });
    const proxy = await serveProxy('paypal', wsdl, php.url);
    const call = (body: unknown) => proxy.call('/api/v1/paypal/GetBalance', body);

    const balance = await call({
      GetBalanceRequest: { Version: '204.0', ReturnAllCurrencies: '1' },
    });
    expect(balance.status).toBe(200);
    expect(balance.body).toMatchObject({
      Ack: 'Success',
      Balance: { value: '1234.56', currencyID: 'EUR' },
      BalanceHoldings: [
        { value: '10.00', currencyID: 'USD' },
        { value: '20.50', currencyID: 'GBP' },
      ],
    });
    proxy.expectValidOutput('/api/v1/paypal/GetBalance', balance.body);
    // Version is declared by the base type, in eBay's base-components namespace; the extension
    // adds ReturnAllCurrencies in PayPal's. Each element must go in its own declaring namespace.
    const [sent] = php.envelopes();
    const api = (name: string) => `{urn:ebay:api:PayPalAPI}${name}`;
    expect(envelopeTree(sent ?? '')).toEqual({
      envelope: SOAP11,
      body: [
        el(api('GetBalanceReq'), [
          el(api('GetBalanceRequest'), [
            el('{urn:ebay:apis:eBLBaseComponents}Version', '204.0'),
            el(api('ReturnAllCurrencies'), '1'),
          ]),
        ]),
      ],
    });

    const fault = await call({ GetBalanceRequest: { Version: '1.0' } });
    expect(fault.status).toBe(422);
    expect(fault.body).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      detail: 'Version 1.0 is not supported',
    });
    await expectValidEnvelopes(wsdl, php.envelopes());
  });

  it('elements a base type from another schema declares: nested, repeated, simple content, nil, unqualified', async () => {
    const rt = await roundTrip(
      'xns',
      fileURLToPath(new URL('fixtures/cross-namespace/service.wsdl', import.meta.url)),
      { S: { P: { Get: () => ({ Ok: 'y' }) } } },
    );
    const address = (street: string, city: string) => ({ Street: street, City: city });
    const answer = await rt.call('/api/v1/xns/Get', {
      GetRequest: {
        Version: '1',
        Address: { ...address('S', 'C'), kind: 'home' },
        Lines: [address('L1', 'X'), address('L2', 'Y')],
        Amount: { value: '1.50', currencyID: 'EUR' },
        Note: null,
        Flag: true,
      },
      Extra: address('E', 'F'),
    });
    expect(answer).toMatchObject({ status: 200, body: { Ok: 'y' } });
    const base = (name: string) => `{urn:base}${name}`;
    const derived = (name: string) => `{urn:derived}${name}`;
    const addressTree = (name: string, street: string, city: string) =>
      el(base(name), [el(base('Street'), street), el('{}City', city)]);
    expect(envelopeTree(lastEnvelope(rt.double).body)).toEqual({
      envelope: SOAP11,
      body: [
        el(derived('GetReq'), [
          el(derived('GetRequest'), [
            el(base('Version'), '1'),
            { ...addressTree('Address', 'S', 'C'), attributes: { kind: 'home' } },
            addressTree('Lines', 'L1', 'X'),
            addressTree('Lines', 'L2', 'Y'),
            { element: base('Amount'), attributes: { currencyID: 'EUR' }, text: '1.50' },
            {
              element: base('Note'),
              attributes: { '{http://www.w3.org/2001/XMLSchema-instance}nil': 'true' },
            },
            el(derived('Flag'), 'true'),
          ]),
          addressTree('Extra', 'E', 'F'),
        ]),
      ],
    });
  });

  it('operation names with dots', async () => {
    const rt = await roundTrip(
      'dotted',
      fileURLToPath(new URL('fixtures/dotted.wsdl', import.meta.url)),
      {
        Dotted: {
          DottedPort: { 'Stock.Get': (args: { sku: string }) => ({ available: args.sku.length }) },
        },
      },
    );
    const answer = await rt.call('/api/v1/dotted/Stock.Get', { sku: 'SKU-1' });
    expect(answer).toMatchObject({ status: 200, body: { available: 5 } });
    expect(envelopeTree(lastEnvelope(rt.double).body)).toEqual({
      envelope: SOAP11,
      body: [el('{urn:test:dotted}Stock.Get', [el('{urn:test:dotted}sku', 'SKU-1')])],
    });
  });
});
