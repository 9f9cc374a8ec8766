import { readFileSync } from 'node:fs';
import type { AuthConfig } from '../config.ts';
import { OriginPools } from './origin-pools.ts';

/**
 * How one service's HTTP traffic leaves, built once per service: keep-alive connection pools
 * (one per origin, kept: origin-pools.ts) for its SOAP calls and its WSDL fetches, and the transport auth both need (HTTP Basic sends the
 * same credentials; mTLS presents the same client certificate, which the pool holds).
 * WS-Security is message-level, so its WSDL is fetched as is.
 */
export interface ServiceTransport {
  /** Every SOAP call's connection pool; for mTLS it presents the client certificate. */
  dispatcher: OriginPools;
  /** For the WSDL loader (undici fetch); its `headers` (HTTP Basic) go with every SOAP call too. */
  fetchInit: { headers?: Record<string, string>; dispatcher: OriginPools };
}

export function serviceTransport(auth: AuthConfig): ServiceTransport {
  switch (auth.type) {
    case 'none':
    case 'wsse': {
      const dispatcher = new OriginPools();
      return { dispatcher, fetchInit: { dispatcher } };
    }
    case 'basic': {
      const dispatcher = new OriginPools();
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
      const dispatcher = new OriginPools({ pool: { connect: tls } });
      return { dispatcher, fetchInit: { dispatcher } };
    }
  }
}
