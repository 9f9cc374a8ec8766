import { AsyncLocalStorage } from 'node:async_hooks';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayIdentitySigner } from '@manifold/platform/auth';
import { ANONYMOUS, Header, SUBGRAPH_REQUEST_LIMIT_BYTES } from '@manifold/platform/contracts';
import type { UpstreamPolicy } from '@manifold/platform/resilience';
import { createSubgraphFetchMetrics, setActiveSpanAttributes } from '@manifold/platform/telemetry';
import type { GatewayContext } from '../context.ts';
import {
  fixedRequestBytes,
  mergeEntityResponses,
  planEntityBatches,
  type SubgraphResponse,
} from './entity-batches.ts';
import { intentOf, type FetchIntent } from './fetch-intent.ts';
import { createResilientFetcher } from './resilient-fetcher.ts';
import type { SendToSubgraph } from './subgraph-fetcher.ts';
import { toSubgraphFailure } from './subgraph-failure.ts';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** The shared connection pool. */
  send: SendToSubgraph;
  /** This subgraph's policy: per-attempt timeout, retries for reads, circuit breaker. */
  policy: UpstreamPolicy;
  /** Identical reads in flight for incoming queries share one fetch. @default true */
  deduplicate?: boolean;
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
 * Each fetch runs under the subgraph's resilience policy (resilient-fetcher.ts): timeout, retries
 * for reads only, circuit breaker, in-flight sharing of identical reads.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;
  readonly maxRequestBytes: number;
  readonly #identity: GatewayIdentitySigner;
  readonly metrics: SubgraphFetchMetrics;
  // How process() tells the fetcher what kind of fetch it is making: RemoteGraphQLDataSource calls
  // the fetcher with the URL and body only, and one data source serves many requests at once.
  readonly #intent: AsyncLocalStorage<FetchIntent>;

  constructor({
    name,
    url,
    send,
    policy,
    deduplicate = true,
    maxRequestBytes = SUBGRAPH_REQUEST_LIMIT_BYTES,
    identity,
    metrics = createSubgraphFetchMetrics(),
  }: SubgraphDataSourceOptions) {
    const intent = new AsyncLocalStorage<FetchIntent>();
    super({
      url,
      fetcher: createResilientFetcher({
        subgraph: name,
        send,
        policy,
        deduplicate,
        intent: () => intent.getStore(),
        onShared: () => {
          metrics.deduplicated(name);
        },
      }),
    });
    this.#intent = intent;
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
      const response = await this.#intent.run(intentOf(options), () =>
        this.processInBatches(options),
      );
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
