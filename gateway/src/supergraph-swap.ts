import { ApolloGateway, type SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@manifold/platform/logging';
import type { Supergraph } from './supergraph.ts';

/**
 * Where a changing supergraph comes from (the schema registry: registry/registry-source.ts).
 * Candidates are handed to the gateway, which may refuse them: the source then keeps what it had.
 */
export interface SupergraphSource {
  /**
   * The first supergraph to serve: each candidate (the registry's current version, else the
   * last good copy) is given to `check`, which throws when it cannot be served. Throws when no
   * candidate is left (a ConfigError: the gateway cannot start).
   */
  initial: (check: (candidate: Supergraph) => Promise<void>) => Promise<Supergraph>;
  /**
   * Offers every later version, one at a time, until `stop`: `offer` resolves once the gateway
   * serves it and rejects when the gateway refused it (it keeps serving the previous one).
   */
  follow: (offer: (next: Supergraph) => Promise<void>) => void;
  /** What the source would like `/readyz` to show (the last refused version, say). */
  status: () => Record<string, unknown>;
  stop: () => Promise<void>;
}

export interface SupergraphSwapOptions {
  /** A fixed supergraph (a file), or a source of versions to follow. */
  source: Supergraph | SupergraphSource;
  /** The SDL as `@apollo/gateway` is to load it (see supergraphForEnforcedAuthorization). */
  prepare: (sdl: string) => string;
  /**
   * Runs just before the gateway loads a supergraph (the first included), with the gateway's
   * own derived state to set up for it (authorization rules, subgraph URLs); throwing refuses it.
   */
  willLoad: (next: Supergraph) => void;
  logger: Logger;
}

export interface SupergraphSwap {
  /** For `new ApolloGateway({ supergraphSdl })`. */
  supergraphSdl: SupergraphSdlHook;
  /** The supergraph served now; undefined until the gateway loaded its first one. */
  current: () => Supergraph | undefined;
  /** What `/healthz` and `/readyz` report about it. */
  status: () => Record<string, unknown>;
}

/**
 * Loads `sdl` into a throw-away gateway, with the supergraph validation production skips: the
 * same code path as the real update (supergraph, API schema, query planner), run first, so that
 * a version that cannot be served is refused before it reaches the gateway.
 */
async function trialLoad(sdl: string, logger: Logger): Promise<void> {
  const trial = new ApolloGateway({
    supergraphSdl: sdl,
    validateSupergraph: true,
    logger: logger.child({}, { level: 'silent' }),
  });
  try {
    await trial.load();
  } finally {
    await trial.stop().catch(() => undefined);
  }
}

/**
 * How the gateway changes supergraph while serving, through `@apollo/gateway`'s supergraph
 * manager hook: a new version is parsed, trial-loaded and only then handed to `update`, which
 * swaps the schema and query planner in one synchronous step. A request already executing keeps
 * the query plan and data sources it started with; the next one is planned on the new version.
 * A version that fails any step is refused and logged, and the gateway keeps serving the last
 * good one — it never replaces a supergraph that works with one that does not.
 */
export function createSupergraphSwap({
  source,
  prepare,
  willLoad,
  logger,
}: SupergraphSwapOptions): SupergraphSwap {
  let served: Supergraph | undefined;

  const serveFixed =
    (fixed: Supergraph): SupergraphSdlHook =>
    () => {
      willLoad(fixed);
      served = fixed;
      return Promise.resolve({ supergraphSdl: prepare(fixed.sdl) });
    };

  const follow =
    (followed: SupergraphSource): SupergraphSdlHook =>
    async ({ update }) => {
      const initial = await followed.initial(async (candidate) => {
        await trialLoad(prepare(candidate.sdl), logger);
      });
      willLoad(initial);
      served = initial;
      followed.follow(async (next) => {
        const sdl = prepare(next.sdl);
        await trialLoad(sdl, logger);
        willLoad(next);
        // Synchronous: no request is planned between the old schema and the new one.
        update(sdl);
        const previous = served?.version;
        served = next;
        logger.info({ from: previous, to: next.version }, 'serving a new supergraph version');
      });
      return { supergraphSdl: prepare(initial.sdl), cleanup: () => followed.stop() };
    };

  const supergraphSdl = 'sdl' in source ? serveFixed(source) : follow(source);
  return {
    supergraphSdl,
    current: () => served,
    status: () => ({
      version: served?.version ?? null,
      ...('sdl' in source ? { source: 'file' } : { source: 'registry', ...source.status() }),
    }),
  };
}
