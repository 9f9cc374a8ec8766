import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { Agent } from 'undici';
import type { AuthConfig } from '../config.ts';

/**
 * How to fetch a WSDL (and the XSDs it imports) that lives behind the service's own transport
 * auth: HTTP Basic sends the same credentials, mTLS presents the same client certificate.
 * WS-Security is message-level, so its WSDL is fetched as is.
 */
export interface WsdlCredentials {
  /** For our own loader (undici fetch). */
  fetchInit: { headers?: Record<string, string>; dispatcher?: Agent };
  /** For node-soap's `createClientAsync`, which fetches the WSDL again itself. */
  nodeSoap: { wsdl_headers?: Record<string, string>; wsdl_options?: Record<string, unknown> };
}

export function wsdlCredentials(auth: AuthConfig): WsdlCredentials {
  switch (auth.type) {
    case 'none':
    case 'wsse':
      return { fetchInit: {}, nodeSoap: {} };
    case 'basic': {
      const headers = {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      };
      return { fetchInit: { headers }, nodeSoap: { wsdl_headers: headers } };
    }
    case 'mtls': {
      const tls = {
        cert: readFileSync(auth.certPath),
        key: readFileSync(auth.keyPath),
        ...(auth.caPath ? { ca: readFileSync(auth.caPath) } : {}),
      };
      return {
        fetchInit: { dispatcher: new Agent({ connect: tls }) },
        nodeSoap: { wsdl_options: { httpsAgent: new HttpsAgent(tls) } },
      };
    }
  }
}
