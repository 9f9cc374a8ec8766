import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  closers,
  fixture,
  lastEnvelope,
  registerCleanup,
  roundTrip,
  serveProxy,
} from './round-trip-support.ts';
import { startSoapDouble } from './soap-double.ts';

registerCleanup();

const add = (args: { intA: string; intB: string }) => ({
  AddResult: Number(args.intA) + Number(args.intB),
});
const CALCULATOR = { Calculator: { CalculatorSoap: { Add: add }, CalculatorSoap12: { Add: add } } };

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function certificates() {
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
  return (name: string) => join(dir, name);
}

/** A calculator double that demands a client certificate signed by the test CA. */
async function mutualTlsDouble() {
  const file = certificates();
  const double = await startSoapDouble(
    fixture('dneonline-calculator/CalculatorService.wsdl'),
    CALCULATOR,
    {
      key: readFileSync(file('server.key')),
      cert: readFileSync(file('server.crt')),
      ca: readFileSync(file('ca.crt')),
      requestCert: true,
      rejectUnauthorized: true,
    },
  );
  closers.push(double.close);
  const client = {
    type: 'mtls',
    certPath: file('client.crt'),
    keyPath: file('client.key'),
    caPath: file('ca.crt'),
  };
  return { double, client };
}

describe('transport and message credentials', () => {
  it('sends the configured credentials: HTTP Basic, and a WS-Security UsernameToken with a digest', async () => {
    const services = CALCULATOR;
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

  it('mutual TLS: presents the configured client certificate, and trusts the configured CA', async () => {
    const { double, client } = await mutualTlsDouble();
    let lastProblem: { detail?: string } = {};
    const serve = async (auth: Record<string, unknown>) => {
      const proxy = await serveProxy(
        'secure',
        fixture('dneonline-calculator/CalculatorService.wsdl'),
        double.url,
        { auth },
      );
      // Three calls: one keep-alive TLS connection, not a handshake per call.
      let answer = { status: 0, body: {} as { detail?: string } };
      for (let i = 0; i < 3; i++)
        answer = await proxy.call('/api/v1/secure/Add', { intA: 20, intB: 22 });
      lastProblem = answer.body;
      return answer.status;
    };

    expect(await serve(client)).toBe(200);
    expect(double.received.at(-1)?.clientCertificate).toBe('manifold-proxy');
    expect(double.tlsConnections()).toBe(1);
    // Without the client certificate the supplier refuses the handshake: an upstream failure, never a 200.
    expect(await serve({ type: 'none' })).toBe(502);
    expect(lastProblem.detail).toMatch(/^TLS handshake with secure failed/);
  });

  it('loads a WSDL that sits behind the same mutual TLS as the service', async () => {
    const { double, client } = await mutualTlsDouble();
    const proxy = await serveProxy('secure-wsdl', `${double.url}?wsdl`, double.url, {
      auth: client,
    });
    expect((await proxy.call('/api/v1/secure-wsdl/Add', { intA: 1, intB: 1 })).body).toEqual({
      AddResult: 2,
    });
  });

  it('loads a WSDL that sits behind the same HTTP Basic credentials as the service', async () => {
    const wsdl = fixture('dneonline-calculator/CalculatorService.wsdl');
    const expected = `Basic ${Buffer.from('shop:s3cret').toString('base64')}`;
    const guarded = createServer((req, res) => {
      if (req.headers.authorization !== expected) res.writeHead(401).end();
      else res.writeHead(200, { 'content-type': 'text/xml' }).end(readFileSync(wsdl));
    }).listen(0, '127.0.0.1');
    await once(guarded, 'listening');
    closers.push(
      () =>
        new Promise((resolve) =>
          guarded.close(() => {
            resolve();
          }),
        ),
    );
    const wsdlUrl = `http://127.0.0.1:${(guarded.address() as AddressInfo).port}/calc?wsdl`;
    const double = await startSoapDouble(wsdl, CALCULATOR);
    closers.push(double.close);
    await expect(serveProxy('no-creds', wsdlUrl, double.url)).rejects.toThrow(/401/);
    const proxy = await serveProxy('basic-wsdl', wsdlUrl, double.url, {
      auth: { type: 'basic', username: 'shop', password: 's3cret' },
    });
    expect((await proxy.call('/api/v1/basic-wsdl/Add', { intA: 2, intB: 3 })).body).toEqual({
      AddResult: 5,
    });
  });
});
