import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { GatewayIdentitySigner } from '@manifold/platform/auth';
import { ANONYMOUS, Header, SUBGRAPH_REQUEST_LIMIT_BYTES } from '@manifold/platform/contracts';
import { createSubgraphFetchMetrics, setActiveSpanAttributes } from '@manifold/platform/telemetry';
import type { GatewayContext } from '../context.ts';
import {
  fixedRequestBytes,
  mergeEntityResponses,
  planEntityBatches,
  type SubgraphResponse,
} from './entity-batches.ts';
import { toSubgraphFailure } from './subgraph-failure.ts';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  fetcher: Fetcher;
  /** Largest request body the subgraph accepts; entity fetches are split to fit. @default SUBGRAPH_REQUEST_LIMIT_BYTES */
  maxRequestBytes?: number;
  /** Signs the caller's identity for the subgraph. */
  identity: GatewayIdentitySigner;
  /** Where each fetch's duration and outcome go. @default a new recorder */
  metrics?: SubgraphFetchMetrics;
}

export type SubgraphFetchMetrics = ReturnType<typeof createSubgraphFetchMetrics>;

/**
 * How the gateway talks to one subgraph: sends the request id, the caller's identity signed by
 * the gateway, and the client headers on the propagation allow-list — nothing else the client
 * sent — and turns transport failures into catalogue errors that name the subgraph
 * (`toSubgraphFailure`: a subgraph's own code survives even on a non-2xx answer); sends each
 * distinct entity of an `_entities` fetch once, in batches that fit the subgraph's body limit.
 * No retries: a subgraph fetch may be a mutation (the federation gateway's own default).
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;
  readonly maxRequestBytes: number;
  readonly #identity: GatewayIdentitySigner;
  readonly metrics: SubgraphFetchMetrics;

  constructor({
    name,
    url,
    fetcher,
    maxRequestBytes = SUBGRAPH_REQUEST_LIMIT_BYTES,
    identity,
    metrics = createSubgraphFetchMetrics(),
  }: SubgraphDataSourceOptions) {
    super({ url, fetcher });
    this.name = name;
    this.maxRequestBytes = maxRequestBytes;
    this.#identity = identity;
    this.metrics = metrics;
  }

  /** One query plan fetch: timed, and named on the gateway's `gateway.fetch` span. */
  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<SubgraphResponse> {
    setActiveSpanAttributes({ 'graphql.subgraph.name': this.name });
    const started = performance.now();
    try {
      const response = await this.processInBatches(options);
      const code = response.errors?.[0]?.extensions?.['code'];
      this.metrics.record(
        this.name,
        (performance.now() - started) / 1000,
        response.errors === undefined
          ? undefined
          : typeof code === 'string'
            ? code
            : 'UPSTREAM_ERROR',
      );
      return response;
    } catch (error) {
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      this.metrics.record(
        this.name,
        (performance.now() - started) / 1000,
        typeof code === 'string' ? code : 'UPSTREAM_ERROR',
      );
      throw error;
    }
  }

  private async processInBatches(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<SubgraphResponse> {
    const { request } = options;
    const representations: unknown = request.variables?.['representations'];
    if (!Array.isArray(representations)) return super.process(options);
    const plan = planEntityBatches(representations, {
      maxBytes: this.maxRequestBytes,
      fixedBytes: fixedRequestBytes(request),
    });
    const [only] = plan.batches;
    if (plan.batches.length === 1 && only?.length === representations.length)
      return super.process(options);
    const responses = await Promise.all(
      plan.batches.map((batch) =>
        super.process({
          ...options,
          request: { ...request, variables: { ...request.variables, representations: batch } },
        }),
      ),
    );
    return mergeEntityResponses(plan, responses);
  }

  override async willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const headers = request.http?.headers;
    if (!headers) return;
    // Schema checks run without a request context, hence Partial.
    const {
      requestId,
      caller = ANONYMOUS,
      propagatedHeaders = {},
    } = context as Partial<GatewayContext>;
    for (const [name, value] of Object.entries(propagatedHeaders)) headers.set(name, value);
    if (requestId) headers.set(Header.requestId, requestId);
    // Set last: no propagated header can stand in for the identity the gateway signs.
    headers.set(Header.identity, await this.#identity.headerFor(caller));
  }

  override didEncounterError(error: Error): void {
    throw toSubgraphFailure(error, this.name);
  }
}
