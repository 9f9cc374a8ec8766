import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import type { AuthConfig } from '../config.ts';

/**
 * How one service's HTTP traffic leaves, built once per service: one keep-alive connection pool
 * for its SOAP calls and its WSDL fetches, and the transport auth both need (HTTP Basic sends the
 * same credentials; mTLS presents the same client certificate, which the pool holds).
 * WS-Security is message-level, so its WSDL is fetched as is.
 */
export interface ServiceTransport {
  /** Every SOAP call's connection pool; for mTLS it presents the client certificate. */
  dispatcher: Agent;
  /** For the WSDL loader (undici fetch); its `headers` (HTTP Basic) go with every SOAP call too. */
  fetchInit: { headers?: Record<string, string>; dispatcher: Agent };
}

export function serviceTransport(auth: AuthConfig): ServiceTransport {
  switch (auth.type) {
    case 'none':
    case 'wsse': {
      const dispatcher = new Agent();
      return { dispatcher, fetchInit: { dispatcher } };
    }
    case 'basic': {
      const dispatcher = new Agent();
      const headers = {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      };
      return { dispatcher, fetchInit: { headers, dispatcher } };
    }
    case 'mtls': {
      const tls = {
        cert: readFileSync(auth.certPath),
        key: readFileSync(auth.keyPath),
        ...(auth.caPath ? { ca: readFileSync(auth.caPath) } : {}),
      };
      const dispatcher = new Agent({ connect: tls });
      return { dispatcher, fetchInit: { dispatcher } };
    }
  }
}
