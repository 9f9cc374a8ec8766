import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Header, SUBGRAPH_REQUEST_LIMIT_BYTES } from '@manifold/platform/contracts';
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
  /** Where each fetch's duration and outcome go. @default a new recorder */
  metrics?: SubgraphFetchMetrics;
}

export type SubgraphFetchMetrics = ReturnType<typeof createSubgraphFetchMetrics>;

/**
 * How the gateway talks to one subgraph: propagates the request id and the authenticated
 * identity, and turns transport failures into catalogue errors that name the subgraph
 * (`toSubgraphFailure`: a subgraph's own code survives even on a non-2xx answer); sends each
 * distinct entity of an `_entities` fetch once, in batches that fit the subgraph's body limit.
 * No retries: a subgraph fetch may be a mutation (the federation gateway's own default).
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;
  readonly maxRequestBytes: number;
  readonly metrics: SubgraphFetchMetrics;

  constructor({
    name,
    url,
    fetcher,
    maxRequestBytes = SUBGRAPH_REQUEST_LIMIT_BYTES,
    metrics = createSubgraphFetchMetrics(),
  }: SubgraphDataSourceOptions) {
    super({ url, fetcher });
    this.name = name;
    this.maxRequestBytes = maxRequestBytes;
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

  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    // Only identities the gateway established travel on; nothing a client sent is copied over.
    headers.delete(Header.userId);
    // Health checks run without a request context, hence Partial.
    const { requestId, userId } = context as Partial<GatewayContext>;
    if (requestId) headers.set(Header.requestId, requestId);
    if (userId) headers.set(Header.userId, userId);
  }

  override didEncounterError(error: Error): void {
    throw toSubgraphFailure(error, this.name);
  }
}
