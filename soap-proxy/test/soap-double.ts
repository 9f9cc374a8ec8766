import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer, type ServerOptions as TlsOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { once } from 'node:events';
import soap from 'soap';

export interface SoapDouble {
  url: string;
  /** Raw envelopes received, in order. */
  received: {
    body: string;
    contentType: string;
    soapAction: string;
    authorization: string;
    clientCertificate: string;
  }[];
  /** TLS connections accepted (HTTPS doubles): keep-alive shows as fewer connections than calls. */
  tlsConnections: () => number;
  close: () => Promise<void>;
}

/**
 * A real SOAP server (node-soap) built from a WSDL, with test implementations: stands in for a
 * vendor so tests can see the exact envelope soap-proxy sends and what it makes of the answer.
 */
export async function startSoapDouble(
  wsdlPath: string,
  services: soap.IServices,
  /** Serve HTTPS with these options (e.g. requestCert for mutual TLS). */
  tls?: TlsOptions,
): Promise<SoapDouble> {
  const received: SoapDouble['received'] = [];
  const server: Server = tls ? createTlsServer(tls) : createServer();
  let tlsConnections = 0;
  server.on('secureConnection', () => {
    tlsConnections++;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const soapServer = soap.listen(server, {
    path: '/soap',
    services,
    xml: readFileSync(wsdlPath, 'utf8'),
  });
  // node-soap reports every envelope it receives (and the request it came with) through `log`.
  soapServer.log = (
    type: string,
    data: unknown,
    req: { headers?: Record<string, string | string[] | undefined>; socket?: unknown } | undefined,
  ) => {
    if (type !== 'received' || typeof data !== 'string') return;
    const headers = req?.headers ?? {};
    received.push({
      body: data,
      contentType: String(headers['content-type'] ?? ''),
      soapAction: String(headers['soapaction'] ?? ''),
      authorization: String(headers['authorization'] ?? ''),
      clientCertificate: tls
        ? String((req?.socket as TLSSocket | undefined)?.getPeerCertificate().subject.CN ?? '')
        : '',
    });
  };
  const { port } = server.address() as { port: number };
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/soap`,
    received,
    tlsConnections: () => tlsConnections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Raises a SOAP fault from a test implementation, the way node-soap's server expects: a plain `{ Fault }`. */
export function soapFault(fault: Record<string, unknown>): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- node-soap's server only serialises a thrown { Fault } object
  throw { Fault: fault };
}
