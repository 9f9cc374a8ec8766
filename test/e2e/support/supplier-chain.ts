import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientCredentialsToken } from '../../../upstreams/identity-provider/src/tokens.ts';
import { freePort, startService, type ServiceProcess } from './processes.ts';

/** soap-proxy behind the reference identity provider, as `npm start` runs them. */
export interface SupplierChain {
  idp: ServiceProcess;
  proxy: ServiceProcess;
  /** What the products subgraph needs to call soap-proxy (its URL and client credentials). */
  productsEnv: Record<string, string>;
  /** A partner's token, to ask soap-proxy directly. */
  partnerToken: () => Promise<string>;
  stop: () => Promise<void>;
}

/**
 * Starts the identity provider and soap-proxy in front of `supplierUrl`; soap-proxy then wants a
 * token, which products gets by client credentials.
 */
export async function startSupplierChain(
  supplierUrl: string,
  proxyEnv: Record<string, string> = {},
): Promise<SupplierChain> {
  const idpData = mkdtempSync(join(tmpdir(), 'idp-e2e-'));
  const idpPort = await freePort();
  const idp = await startService({
    name: 'identity-provider',
    entry: 'upstreams/identity-provider/src/main.ts',
    port: idpPort,
    env: { IDP_DATA_DIR: idpData, IDP_ISSUER: `http://127.0.0.1:${String(idpPort)}` },
    readyPath: '/healthz',
  });
  let proxy: ServiceProcess;
  try {
    proxy = await startService({
      name: 'soap-proxy',
      entry: 'soap-proxy/src/main.ts',
      port: await freePort(),
      env: { SUPPLIER_URL: `${supplierUrl}/`, OIDC_ISSUER: idp.url, ...proxyEnv },
      readyPath: '/healthz',
    });
  } catch (error) {
    await idp.stop();
    throw error;
  }
  return {
    idp,
    proxy,
    productsEnv: {
      SOAP_PROXY_URL: proxy.url,
      SOAP_PROXY_TOKEN_URL: `${idp.url}/token`,
      SOAP_PROXY_CLIENT_SECRET_FILE: join(idpData, 'secrets/clients/products-subgraph'),
    },
    partnerToken: () =>
      clientCredentialsToken({
        issuer: idp.url,
        clientId: 'partner-demo',
        clientSecret: readFileSync(join(idpData, 'secrets/clients/partner-demo'), 'utf8'),
      }),
    stop: async () => {
      await proxy.stop();
      await idp.stop();
    },
  };
}
