import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import type { AuthConfig } from '../config.ts';

/**
 * How one service's HTTP traffic leaves, built once per service: one keep-alive connection pool
 * for its SOAP calls and WSDL fetches (ours and node-soap's), and the transport auth a WSDL behind
 * it needs (HTTP Basic sends the same credentials; mTLS presents the same client certificate, which
 * the pool holds). WS-Security is message-level, so its WSDL is fetched as is.
 */
export interface ServiceTransport {
  /** Every SOAP call's connection pool; for mTLS it presents the client certificate. */
  dispatcher: Agent;
  /** For our own WSDL loader (undici fetch). */
  fetchInit: { headers?: Record<string, string>; dispatcher: Agent };
  /** For node-soap's `createClientAsync`, which fetches the WSDL again itself (over the pool). */
  nodeSoap: { wsdl_headers?: Record<string, string> };
}

export function serviceTransport(auth: AuthConfig): ServiceTransport {
  switch (auth.type) {
    case 'none':
    case 'wsse': {
      const dispatcher = new Agent();
      return { dispatcher, fetchInit: { dispatcher }, nodeSoap: {} };
    }
    case 'basic': {
      const dispatcher = new Agent();
      const headers = {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      };
      return {
        dispatcher,
        fetchInit: { headers, dispatcher },
        nodeSoap: { wsdl_headers: headers },
      };
    }
    case 'mtls': {
      const tls = {
        cert: readFileSync(auth.certPath),
        key: readFileSync(auth.keyPath),
        ...(auth.caPath ? { ca: readFileSync(auth.caPath) } : {}),
      };
      const dispatcher = new Agent({ connect: tls });
      return { dispatcher, fetchInit: { dispatcher }, nodeSoap: {} };
    }
  }
}
