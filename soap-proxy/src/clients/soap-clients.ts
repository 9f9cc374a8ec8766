import soap from 'soap';
import type { AuthConfig } from '../config.ts';
import type { PortModel } from '../wsdl/model.ts';
import type { ServiceTransport } from './service-transport.ts';
import { undiciHttpClient } from './undici-http-client.ts';

type Callback = (error: unknown, result: unknown) => void;
type SoapMethod = (args: unknown, callback: Callback, options: Record<string, unknown>) => void;
type ClientTree = Record<
  string,
  Record<string, Record<string, SoapMethod | undefined> | undefined> | undefined
>;

/** Calls one operation of one port; rejects with node-soap's error (mapped by mapping/faults.ts). */
export type SoapInvoker = (
  args: unknown,
  options: { signal: AbortSignal; timeoutMs: number },
) => Promise<unknown>;

export interface SoapClientsOptions {
  wsdl: string;
  /** Replaces every port's address. */
  endpoint?: string | undefined;
  auth: AuthConfig;
  /** The service's connection pool and WSDL credentials, built once per service. */
  transport: ServiceTransport;
}

// Keep exact texts: node-soap's default parses xsd:decimal with Number() (digits lost) and
// dateTime into Date (the supplier's zone and precision lost). The schema says strings.
const KEEP_TEXT = (text: string) => text;
const DESERIALIZERS = {
  decimal: KEEP_TEXT,
  dateTime: KEEP_TEXT,
  date: KEEP_TEXT,
  time: KEEP_TEXT,
  long: KEEP_TEXT,
  unsignedLong: KEEP_TEXT,
  integer: KEEP_TEXT,
};

/** Message and header security; an mTLS client certificate travels in the transport instead. */
function security(auth: AuthConfig): soap.ISecurity | undefined {
  switch (auth.type) {
    case 'none':
    case 'mtls':
      return undefined;
    case 'basic':
      return new soap.BasicAuthSecurity(auth.username, auth.password);
    case 'wsse':
      return new soap.WSSecurity(auth.username, auth.password, {
        passwordType: auth.passwordType,
        hasTimeStamp: true,
      });
  }
}

/**
 * One node-soap client per port (SOAP 1.2 ports need `forceSoap12Headers`, which node-soap does
 * not infer from the binding), each with the service's auth. Methods are looked up by service,
 * port and operation name, so names with dots work.
 */
export async function createSoapInvokers(
  serviceName: string,
  ports: readonly PortModel[],
  { wsdl, endpoint, auth, transport }: SoapClientsOptions,
): Promise<Map<string, SoapInvoker>> {
  const invokers = new Map<string, SoapInvoker>();
  const credentials = security(auth);
  const httpClient = undiciHttpClient(transport.dispatcher);
  for (const port of ports) {
    const client = await soap.createClientAsync(wsdl, {
      ...transport.nodeSoap,
      // WSDL fetches and calls alike go over the service's pool.
      httpClient,
      endpoint: endpoint ?? port.address,
      forceSoap12Headers: port.soapVersion === '1.2',
      customDeserializer: DESERIALIZERS,
      // Off: xsi:nil then keeps its attribute, and a bare null can only mean an empty element.
      handleNilAsNull: false,
      disableCache: true,
    });
    if (credentials) client.setSecurity(credentials);
    const tree = client as unknown as ClientTree;
    for (const operation of port.operations) {
      const method = tree[serviceName]?.[port.name]?.[operation.name];
      if (!method)
        throw new Error(`node-soap exposes no ${serviceName}.${port.name}.${operation.name}`);
      invokers.set(
        `${port.name}/${operation.name}`,
        (args, { signal, timeoutMs }) =>
          new Promise((resolve, reject) => {
            method.call(
              tree[serviceName]?.[port.name],
              args,
              (error, result) => {
                // node-soap rejects with plain objects too (faults); mapping/faults.ts reads both.
                // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
                if (error) reject(error);
                else resolve(result);
              },
              { signal, timeout: timeoutMs },
            );
          }),
      );
    }
  }
  return invokers;
}
