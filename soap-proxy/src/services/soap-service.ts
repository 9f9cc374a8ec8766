import { ConfigError } from '@manifold/platform/config';
import type { Logger } from '@manifold/platform/logging';
import { createUpstreamPolicy, type UpstreamPolicy } from '@manifold/platform/resilience';
import type { ValidateFunction } from 'ajv';
import { createSoapInvokers, type SoapInvoker } from '../clients/soap-clients.ts';
import { serviceTransport, type ServiceTransport } from '../clients/service-transport.ts';
import type { OperationConfig, ServiceConfig } from '../config.ts';
import { toUpstreamError } from '../mapping/faults.ts';
import { normalise, normaliseFaultDetail } from '../mapping/normalise.ts';
import { createResolver } from '../mapping/schema-walk.ts';
import { toSoapArguments } from '../mapping/to-soap.ts';
import { buildOpenApi, type GeneratedApi } from '../openapi/document.ts';
import { createSchemaValidator } from '@manifold/platform/openapi';
import { setActiveSpanAttributes } from '@manifold/platform/telemetry';
import type { JsonSchema } from '../wsdl/json-schema.ts';
import { loadWsdlDocuments } from '../wsdl/load.ts';
import { describeWsdl } from '../wsdl/model.ts';
import { createAnswerChecks } from './answer-check.ts';

const DEFAULTS: OperationConfig = {
  safe: false,
  idempotent: false,
  cacheTtlSeconds: 0,
  staleIfErrorSeconds: 3_600,
};

/** One REST endpoint bound to its SOAP operation. */
export interface BoundOperation {
  service: string;
  name: string;
  path: string;
  settings: OperationConfig;
  /** Also answers GET with query parameters (safe, scalar inputs). */
  queryable: boolean;
  input: JsonSchema;
  output: JsonSchema;
  validateBody: ValidateFunction;
  /** Same schema, coercing query-string text (GET on safe operations). */
  validateQuery: ValidateFunction;
  /**
   * Calls the supplier once (no policy), JSON in and normalised JSON out; an answer that does not
   * match the output schema rejects with UPSTREAM_ERROR.
   */
  call: (input: unknown, signal: AbortSignal) => Promise<unknown>;
}

export interface SoapService {
  config: ServiceConfig;
  api: GeneratedApi;
  operations: BoundOperation[];
  policy: UpstreamPolicy;
  /** Stops the policy's timers and closes the service's connections (at shutdown). */
  close: () => Promise<void>;
}

interface BuildOptions {
  logger: Logger;
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

async function assemble(
  config: ServiceConfig,
  transport: ServiceTransport,
  { logger, componentPrefix }: BuildOptions,
): Promise<SoapService> {
  const model = describeWsdl(
    await loadWsdlDocuments(config.wsdl, { fetchInit: transport.fetchInit }),
  );
  const known = new Set(
    model.services.flatMap((service) =>
      service.ports.flatMap((port) => port.operations.map((operation) => operation.name)),
    ),
  );
  const unknown = Object.keys(config.operations).filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new ConfigError(
      unknown.map(
        (name) => `${config.name}: operations.${name}: ${config.wsdl} has no such operation`,
      ),
    );

  const safeOperations = new Set(
    Object.entries(config.operations)
      .filter(([, settings]) => settings.safe)
      .map(([name]) => name),
  );
  const api = buildOpenApi(model, {
    serviceName: config.name,
    safeOperations,
    ...(componentPrefix === undefined ? {} : { componentPrefix }),
  });
  const bodies = createSchemaValidator(api.document);
  const queries = createSchemaValidator(api.document, { coerceTypes: 'array' });
  const answers = createAnswerChecks(api.document, config.name);
  const resolve = createResolver(
    (api.document['components'] as { schemas: Record<string, JsonSchema> }).schemas,
  );
  const invokers = new Map<string, SoapInvoker>();
  for (const service of model.services) {
    for (const [key, invoker] of await createSoapInvokers(service.name, service.ports, {
      wsdl: config.wsdl,
      endpoint: config.endpoint,
      auth: config.auth,
      transport,
    })) {
      invokers.set(`${service.name}/${key}`, invoker);
    }
  }
  const owner = new Map(
    model.services.flatMap((service) => service.ports.map((port) => [port, service.name] as const)),
  );

  const operations = api.operations.map((rest): BoundOperation => {
    const invoker = invokers.get(
      `${owner.get(rest.port) ?? ''}/${rest.port.name}/${rest.operation.name}`,
    );
    if (!invoker)
      throw new Error(
        `${config.name}: no SOAP client for ${rest.port.name}.${rest.operation.name}`,
      );
    const settings = { ...DEFAULTS, ...config.operations[rest.operation.name] };
    // node-soap builds an rpc envelope for a message without parts only when given null.
    const noParts =
      rest.operation.style === 'rpc' && (rest.operation.input?.parts.length ?? 0) === 0;
    // document/literal wrapped: the input is the content of one element, in that element's namespace.
    const [onlyPart, ...otherParts] = rest.operation.input?.parts ?? [];
    const wrapper =
      rest.operation.style === 'document' && otherParts.length === 0
        ? onlyPart?.element?.ns
        : undefined;
    const argumentsFor = (input: unknown) =>
      noParts ? null : toSoapArguments(input, rest.input, resolve, wrapper);
    const checkAnswer = answers.compile(rest.operation.name, rest.output);
    const soapSpanAttributes = {
      'rpc.system': 'soap',
      'rpc.service': owner.get(rest.port) ?? rest.port.name,
      'rpc.method': rest.operation.name,
    };
    const normaliseDetail = (detail: unknown) =>
      normaliseFaultDetail(detail, rest.faultDetail, resolve);
    return {
      service: config.name,
      name: rest.operation.name,
      path: rest.path,
      settings: { ...settings, idempotent: settings.idempotent || settings.safe },
      queryable: rest.queryable,
      input: rest.input,
      output: rest.output,
      validateBody: bodies.compile(rest.input),
      validateQuery: queries.compile(rest.input),
      call: async (input, signal) => {
        setActiveSpanAttributes(soapSpanAttributes);
        let result: unknown;
        try {
          result = await invoker(argumentsFor(input), { signal, timeoutMs: config.timeoutMs });
        } catch (error) {
          throw toUpstreamError(config.name, rest.operation.name, error, normaliseDetail);
        }
        // Checked after normalising: the caller gets exactly what was checked, or a 502.
        const answer = normalise(result ?? {}, rest.output, resolve) ?? {};
        checkAnswer(answer);
        return answer;
      },
    };
  });

  const policy = createUpstreamPolicy({
    name: config.name,
    logger,
    timeoutMs: config.timeoutMs,
    ...config.resilience,
  });
  const close = async () => {
    policy.dispose();
    await transport.dispatcher.close();
  };
  return { config, api, operations, policy, close };
}
