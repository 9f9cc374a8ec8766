import { ConfigError } from '@manifold/platform/config';
import type { DeadLetterRecorder } from '@manifold/platform/dead-letters';
import type { Logger } from '@manifold/platform/logging';
import { createSchemaValidator } from '@manifold/platform/openapi';
import { createUpstreamThrottle } from '@manifold/platform/rate-limit';
import { createUpstreamPolicy, type UpstreamPolicy } from '@manifold/platform/resilience';
import soap from 'soap';
import { createSoapHttp } from '../clients/soap-http.ts';
import { serviceTransport, type ServiceTransport } from '../clients/service-transport.ts';
import type { AuthConfig, OperationConfig, ServiceConfig } from '../config.ts';
import { createResolver } from '../mapping/schema-walk.ts';
import { buildOpenApi, type GeneratedApi } from '../openapi/document.ts';
import { serviceNameFor } from '../openapi/service-name.ts';
import type { JsonSchema } from '../wsdl/json-schema.ts';
import { loadWsdlDocuments } from '../wsdl/load.ts';
import { describeWsdl, type WsdlModel } from '../wsdl/model.ts';
import { createAnswerChecks } from './answer-check.ts';
import { bindOperation, type BoundOperation } from './bind-operation.ts';
import { createSoapExchange } from './soap-exchange.ts';
import { SoapSession } from './soap-session.ts';

export type { BoundOperation } from './bind-operation.ts';

const DEFAULTS: OperationConfig = {
  safe: false,
  idempotent: false,
  cacheTtlSeconds: 0,
  staleIfErrorSeconds: 3_600,
};

export interface SoapService {
  /** The configuration, its name settled by the naming rule. */
  config: ServiceConfig & { name: string };
  api: GeneratedApi;
  operations: BoundOperation[];
  policy: UpstreamPolicy;
  /** The login session, when the service is configured with one. */
  session: SoapSession | undefined;
  /** Stops the policy's timers and closes the service's connections (at shutdown). */
  close: () => Promise<void>;
}

interface BuildOptions {
  logger: Logger;
  /** Where non-idempotent calls that fail ambiguously are recorded (the webhooks dead letters). */
  deadLetters?: DeadLetterRecorder | undefined;
  componentPrefix?: string;
}

/** Everything one configured SOAP service needs, built once at start-up. */
export async function createSoapService(
  config: ServiceConfig,
  options: BuildOptions,
): Promise<SoapService> {
  // Built once: one connection pool (for mTLS, with the key files read) every port shares.
  const transport = serviceTransport(config.auth);
  try {
    return await assemble(config, transport, options);
  } catch (error) {
    await transport.dispatcher.close(); // a service that cannot start leaves no connections
    throw error;
  }
}

/** What a services file names that the WSDL lacks: operations and SOAP headers. */
function unknownNames(config: ServiceConfig, model: WsdlModel, name: string): string[] {
  const operations = model.services.flatMap((service) =>
    service.ports.flatMap((port) => port.operations),
  );
  const known = new Set(operations.map((operation) => operation.name));
  const headers = new Set(
    operations.flatMap((operation) => operation.inputHeaders.map((header) => header.name)),
  );
  const missing = (field: string, what: string, has: boolean) =>
    has ? [] : [`${name}: ${field}: ${config.wsdl} has no such ${what}`];
  return [
    ...Object.keys(config.operations).flatMap((operation) =>
      missing(`operations.${operation}`, 'operation', known.has(operation)),
    ),
    ...Object.keys(config.soapHeaders).flatMap((header) =>
      missing(`soapHeaders.${header}`, 'SOAP header', headers.has(header)),
    ),
    ...(config.session
      ? [
          ...missing('session.operation', 'operation', known.has(config.session.operation)),
          ...missing('session.header', 'SOAP header', headers.has(config.session.header)),
        ]
      : []),
  ];
}

/** Per-call SOAP header entries for message-level credentials (a fresh WS-Security nonce and timestamp). */
function securityHeaders(auth: AuthConfig): () => string[] {
  if (auth.type !== 'wsse') return () => [];
  const security = new soap.WSSecurity(auth.username, auth.password, {
    passwordType: auth.passwordType,
    hasTimeStamp: true,
  });
  return () => [security.toXML()];
}

async function assemble(
  configured: ServiceConfig,
  transport: ServiceTransport,
  { logger, componentPrefix, deadLetters }: BuildOptions,
): Promise<SoapService> {
  // The WSDL is read and parsed once; the envelopes are written and read from this one model.
  const model = describeWsdl(
    await loadWsdlDocuments(configured.wsdl, { fetchInit: transport.fetchInit }),
  );
  const name = serviceNameFor(model, configured.name);
  const config = { ...configured, name };
  const unknown = unknownNames(config, model, name);
  if (unknown.length > 0) throw new ConfigError(unknown);

  const safeOperations = new Set(
    Object.entries(config.operations)
      .filter(([, settings]) => settings.safe)
      .map(([operation]) => operation),
  );
  const configuredHeaders = new Set([
    ...Object.keys(config.soapHeaders),
    ...(config.session ? [config.session.header] : []),
  ]);
  const api = buildOpenApi(model, {
    serviceName: name,
    safeOperations,
    configuredHeaders,
    ...(componentPrefix === undefined ? {} : { componentPrefix }),
  });
  const bodies = createSchemaValidator(api.document);
  const queries = createSchemaValidator(api.document, { coerceTypes: 'array' });
  const answers = createAnswerChecks(api.document, name);
  const resolve = createResolver(
    (api.document['components'] as { schemas: Record<string, JsonSchema> }).schemas,
  );
  const http = createSoapHttp(transport.dispatcher, {
    upstream: name,
    maxResponseBytes: config.maxResponseBytes,
  });
  const extraHeaders = securityHeaders(config.auth);
  const headerValues = Object.fromEntries(
    Object.entries(config.soapHeaders).flatMap(([header, setting]) =>
      setting.value === undefined ? [] : [[header, setting.value]],
    ),
  );
  let session: SoapSession | undefined;
  const bind = (rest: GeneratedApi['operations'][number]) =>
    bindOperation(rest, {
      service: name,
      settings: { ...DEFAULTS, ...config.operations[rest.operation.name] },
      exchange: createSoapExchange(rest, {
        upstream: name,
        resolve,
        headerFields: rest.inputHeaders,
        headerFlags: config.soapHeaders,
        extraHeaders,
      }),
      http,
      endpoint: config.endpoint ?? rest.port.address,
      timeoutMs: config.timeoutMs,
      authorization: transport.fetchInit.headers ?? {},
      configuredHeaders: headerValues,
      session:
        session && config.session
          ? {
              manager: session,
              header: config.session.header,
              pointer: config.session.headerPointer,
            }
          : undefined,
      checkAnswer: answers.compile(rest.operation.name, rest.output),
      validateBody: bodies.compile(rest.input),
      validateQuery: queries.compile(rest.input),
      compileHeader: (schema) => bodies.compile(schema),
      deadLetters: deadLetters && { recorder: deadLetters, logger },
    });
  if (config.session) {
    const settings = config.session;
    const login = api.operations.find((rest) => rest.operation.name === settings.operation);
    if (!login) throw new ConfigError([`${name}: session.operation: no such operation`]);
    const loginOperation = bind(login); // bound before the session exists: it carries none
    session = new SoapSession(
      async () =>
        (
          await loginOperation.send(
            loginOperation.prepare(settings.input, {}),
            AbortSignal.timeout(config.timeoutMs),
          )
        ).body,
      settings,
      name,
    );
  }
  const operations = api.operations.map(bind);

  const policy = createUpstreamPolicy({
    name,
    logger,
    timeoutMs: config.timeoutMs,
    ...config.resilience,
    throttle: createUpstreamThrottle({
      name,
      callsPerSecond: config.upstreamLimit.callsPerSecond,
      waitBudgetMs: config.upstreamLimit.waitBudgetMs,
    }),
  });
  const close = async () => {
    policy.dispose();
    await transport.dispatcher.close();
  };
  return { config, api, operations, policy, session, close };
}
