// issue 8: soap-proxy reads and parses each WSDL once. PayPal's WSDL (two ports, three imported
// XSDs) is served over HTTP by a server that counts every request: node-soap used to fetch and
// parse the WSDL again for each port, besides soap-proxy's own read.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, httpServer, registerCleanup, serveProxy } from './round-trip-support.ts';

registerCleanup();

describe('loading a WSDL', () => {
  it('reads the WSDL and each file it imports exactly once, for every port', async () => {
    const folder = dirname(fixture('paypal-api/PayPalSvc.wsdl'));
    const requests = new Map<string, number>();
    const host = await httpServer((req, res) => {
      const path = req.url ?? '/';
      requests.set(path, (requests.get(path) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(readFileSync(join(folder, path.slice(1))));
    });

    const proxy = await serveProxy('paypal', `${host}/PayPalSvc.wsdl`, 'http://127.0.0.1:9/');
    const ports = new Set(proxy.service.api.operations.map((operation) => operation.port.name));
    expect(proxy.service.operations).toHaveLength(57);
    expect(ports.size).toBe(2); // operations of both ports are served
    expect(Object.fromEntries(requests)).toEqual({
      '/PayPalSvc.wsdl': 1,
      '/eBLBaseComponents.xsd': 1,
      '/CoreComponentTypes.xsd': 1,
      '/EnhancedDataTypes.xsd': 1,
    });
  });
});
