import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { listen } from '@manifold/platform/http-server';
import { silentLogger, startPhpServer } from '@manifold/platform/testing';
import { Keyv } from 'keyv';
import type soap from 'soap';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { ProxyConfig } from '../src/config.ts';
import { createSchemaValidator } from '@manifold/platform/openapi-validator';
import { createSoapService, type SoapService } from '../src/services/soap-service.ts';
import { soapFault, startSoapDouble, type SoapDouble } from './soap-double.ts';

const fixture = (path: string) =>
  fileURLToPath(new URL(`../../test/fixtures/wsdl/${path}`, import.meta.url));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

interface Proxied {
  service: SoapService;
  call: (path: string, body: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;
  /** The answer must validate against the schema the proxy publishes for the operation at `path`. */
  expectValidOutput: (path: string, body: unknown) => void;
}

/** soap-proxy in front of `endpoint`, configured from the WSDL alone (plus `extra` service settings). */
async function serveProxy(
  name: string,
  wsdl: string,
  endpoint: string,
  extra: Record<string, unknown> = {},
): Promise<Proxied> {
  const [config] = ProxyConfig.parse({
    services: [{ name, wsdl, endpoint, resilience: { maxAttempts: 1 }, ...extra }],
  }).services;
  const service = await createSoapService(config!, { logger: silentLogger() });
  const { server, url }: { server: Server; url: string } = await listen(
    createApp({ services: [service], cache: new Keyv(), logger: silentLogger(), production: true }),
    { port: 0, host: '127.0.0.1' },
  );
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  const validator = createSchemaValidator(service.api.document);
  return {
    service,
    call: async (path, body) => {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    expectValidOutput: (path, body) => {
      const operation = service.operations.find((candidate) => candidate.path === path)!;
      const validate = validator.compile(operation.output);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    },
  };
}

/** A vendor double built by node-soap from the WSDL, and soap-proxy configured in front of it. */
async function roundTrip(
  name: string,
  wsdl: string,
  implementations: soap.IServices,
  extra: Record<string, unknown> = {},
): Promise<Proxied & { double: SoapDouble }> {
  const double = await startSoapDouble(wsdl, implementations);
  closers.push(double.close);
  return { double, ...(await serveProxy(name, wsdl, double.url, extra)) };
}

const lastEnvelope = (double: SoapDouble) => double.received.at(-1)!;

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
    expect(sum).toEqual({ status: 200, body: { AddResult: 42 } });
    rt.expectValidOutput('/api/v1/calc/Add', sum.body);
    const soap11 = lastEnvelope(rt.double);
    expect(soap11.body).toContain('http://schemas.xmlsoap.org/soap/envelope/');
    expect(soap11.body).toMatch(/<(\w+:)?Add\b[^>]*xmlns(:\w+)?="http:\/\/tempuri.org\/"/);
    expect(soap11.body).toMatch(/<(\w+:)?intA>2<\/(\w+:)?intA>/);
    expect(soap11.soapAction).toContain('http://tempuri.org/Add');

    const sum12 = await rt.call('/api/v1/calc/CalculatorSoap12/Add', { intA: 1, intB: 1 });
    expect(sum12.body).toEqual({ AddResult: 2 });
    const soap12 = lastEnvelope(rt.double);
    expect(soap12.body).toContain('http://www.w3.org/2003/05/soap-envelope');
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
    expect(lastEnvelope(rt.double).body).toMatch(/<(\w+:)?ListOfCountryNamesByName\b/);
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
    expect(lastEnvelope(rt.double).body).toMatch(/<(\w+:)?vatNumber>123456789<\/(\w+:)?vatNumber>/);
    const invalid = await rt.call('/api/v1/vies/checkVat', { countryCode: 'XX', vatNumber: '1' });
    expect(invalid.status).toBe(502);
    expect(invalid.body['detail']).toBe('INVALID_INPUT');
  });

  it('MantisBT rpc/encoded: a zero-part request, SOAP-ENC arrays of 0, 1 and n items, a fault', async () => {
    let statuses: { id: number; name: string }[] = [];
    const rt = await roundTrip('mantis', fixture('mantisbt-mantisconnect/mantisconnect.wsdl'), {
      MantisConnect: {
        MantisConnectPort: {
          mc_version: () => ({ return: '2.26.0' }),
          mc_enum_status: (args: { username: string }) => {
            if (args.username !== 'admin')
              soapFault({ faultcode: 'SOAP-ENV:Client', faultstring: 'Access denied' });
            return { return: statuses };
          },
        },
      },
    });
    const version = await rt.call('/api/v1/mantis/mc_version', {});
    expect(version).toEqual({ status: 200, body: { return: '2.26.0' } });
    expect(lastEnvelope(rt.double).body).toMatch(/<(\w+:)?mc_version\b/);

    const path = '/api/v1/mantis/mc_enum_status';
    for (const list of [
      [],
      [{ id: 10, name: 'new' }],
      [
        { id: 10, name: 'new' },
        { id: 80, name: 'resolved' },
      ],
    ]) {
      statuses = list;
      const { status, body } = await rt.call(path, { username: 'admin', password: 'secret' });
      expect(status).toBe(200);
      expect(body).toEqual({ return: list });
      rt.expectValidOutput(path, body);
    }
    const envelope = lastEnvelope(rt.double).body;
    // rpc: the operation element in the soap:body namespace, one child per part.
    expect(envelope).toMatch(
      /xmlns:(\w+)="http:\/\/futureware\.biz\/mantisconnect"[\s\S]*<\1:mc_enum_status>/,
    );
    expect(envelope).toMatch(/<username[^>]*>admin<\/username>/);

    const denied = await rt.call(path, { username: 'guest', password: 'x' });
    expect(denied.status).toBe(422);
    expect(denied.body['detail']).toBe('Access denied');
  });

  it('sends the configured credentials: HTTP Basic, and a WS-Security UsernameToken with a digest', async () => {
    const add = (args: { intA: string; intB: string }) => ({
      AddResult: Number(args.intA) + Number(args.intB),
    });
    const services = {
      Calculator: { CalculatorSoap: { Add: add }, CalculatorSoap12: { Add: add } },
    };
    const wsdl = fixture('dneonline-calculator/CalculatorService.wsdl');

    const basic = await roundTrip('basic', wsdl, services, {
      auth: { type: 'basic', username: 'shop', password: 's3cret' },
    });
    expect((await basic.call('/api/v1/basic/Add', { intA: 1, intB: 2 })).status).toBe(200);
    expect(lastEnvelope(basic.double).authorization).toBe(
      `Basic ${Buffer.from('shop:s3cret').toString('base64')}`,
    );

    const wsse = await roundTrip('wsse', wsdl, services, {
      auth: { type: 'wsse', username: 'shop', password: 's3cret' },
    });
    expect((await wsse.call('/api/v1/wsse/Add', { intA: 1, intB: 2 })).status).toBe(200);
    const envelope = lastEnvelope(wsse.double).body;
    expect(envelope).toMatch(/<wsse:Security[\s\S]*<wsse:Username>shop<\/wsse:Username>/);
    expect(envelope).toContain('#PasswordDigest');
    expect(envelope).not.toContain('s3cret');
  });

  it('PayPal: imported XSDs, extension types and attributes (served by PHP ext/soap from the same WSDL)', async () => {
    const wsdl = fixture('paypal-api/PayPalSvc.wsdl');
    const log = join(mkdtempSync(join(tmpdir(), 'paypal-')), 'envelopes.xml');
    const php = await startPhpServer({
      router: fileURLToPath(new URL('fixtures/paypal-double.php', import.meta.url)),
      env: { PAYPAL_WSDL: wsdl, ENVELOPE_LOG: log },
      workers: 1,
    });
    closers.push(php.stop);
    const proxy = await serveProxy('paypal', wsdl, `${php.url}/soap`);
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
    const envelope = readFileSync(log, 'utf8');
    expect(envelope).toMatch(
      /<(\w+:)?GetBalanceReq\b[\s\S]*<(\w+:)?GetBalanceRequest>[\s\S]*<(\w+:)?Version>204\.0</,
    );

    const fault = await call({ GetBalanceRequest: { Version: '1.0' } });
    expect(fault.status).toBe(422);
    expect(fault.body).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      detail: 'Version 1.0 is not supported',
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
    expect(answer).toEqual({ status: 200, body: { available: 5 } });
    expect(lastEnvelope(rt.double).body).toMatch(/<(\w+:)?Stock\.Get\b/);
  });

  it('mutual TLS: presents the configured client certificate, and trusts the configured CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-'));
    const openssl = (...args: string[]) =>
      execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
    );
    for (const [name, subject, extension] of [
      ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
      ['client', '/CN=manifold-proxy', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      openssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        subject,
        '-addext',
        extension,
      );
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '1',
        '-copy_extensions',
        'copy',
      );
    }
    const file = (name: string) => join(dir, name);
    const add = (args: { intA: string; intB: string }) => ({
      AddResult: Number(args.intA) + Number(args.intB),
    });
    const double = await startSoapDouble(
      fixture('dneonline-calculator/CalculatorService.wsdl'),
      { Calculator: { CalculatorSoap: { Add: add }, CalculatorSoap12: { Add: add } } },
      {
        key: readFileSync(file('server.key')),
        cert: readFileSync(file('server.crt')),
        ca: readFileSync(file('ca.crt')),
        requestCert: true,
        rejectUnauthorized: true,
      },
    );
    closers.push(double.close);
    let lastProblem: { detail?: string } = {};
    const serve = async (auth: Record<string, unknown>) => {
      const proxy = await serveProxy(
        'secure',
        fixture('dneonline-calculator/CalculatorService.wsdl'),
        double.url,
        { auth },
      );
      const { status, body } = await proxy.call('/api/v1/secure/Add', { intA: 20, intB: 22 });
      lastProblem = body;
      return status;
    };

    expect(
      await serve({
        type: 'mtls',
        certPath: file('client.crt'),
        keyPath: file('client.key'),
        caPath: file('ca.crt'),
      }),
    ).toBe(200);
    expect(double.received.at(-1)?.clientCertificate).toBe('manifold-proxy');
    // Without the client certificate the supplier refuses the handshake: an upstream failure, never a 200.
    expect(await serve({ type: 'none' })).toBe(502);
    expect(lastProblem.detail).toMatch(/^TLS handshake with secure failed/);
  });
});
