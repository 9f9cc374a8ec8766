import { ConfigError, loadEnv } from '@manifold/platform/config';
import { GatewayEnv, loadSubgraphTimeouts, loadSubgraphUrlOverrides } from './config.ts';
import { loadSupergraph, type Supergraph } from './supergraph.ts';

export interface GatewayConfig {
  env: GatewayEnv;
  supergraph: Supergraph;
  /** `SUBGRAPH_<NAME>_TIMEOUT_MS`, by subgraph name. */
  subgraphTimeouts: Map<string, number>;
}

/**
 * Everything the gateway takes from its environment — variables, `SUBGRAPH_<NAME>_URL` overrides,
 * the supergraph file they point at — checked together, so one ConfigError lists every problem.
 */
export function loadGatewayConfig(
  source: Readonly<Record<string, string | undefined>> = process.env,
): GatewayConfig {
  const problems: string[] = [];
  const collect = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const env = collect(() => loadEnv(GatewayEnv, source));
  const overrides = collect(() => loadSubgraphUrlOverrides(source));
  // Even with bad overrides, read the supergraph: its own problems belong in the same report.
  const supergraphPath =
    env?.SUPERGRAPH_PATH ??
    GatewayEnv.shape.SUPERGRAPH_PATH.safeParse(source['SUPERGRAPH_PATH'] || undefined).data;
  const supergraph =
    supergraphPath === undefined
      ? undefined
      : collect(() => loadSupergraph(supergraphPath, overrides ?? new Map()));
  const subgraphTimeouts =
    supergraph === undefined
      ? undefined
      : collect(() =>
          loadSubgraphTimeouts(
            supergraph.subgraphs.map((subgraph) => subgraph.name),
            source,
          ),
        );
  if (
    env === undefined ||
    supergraph === undefined ||
    subgraphTimeouts === undefined ||
    problems.length > 0
  )
    throw new ConfigError(problems);
  return { env, supergraph, subgraphTimeouts };
}
