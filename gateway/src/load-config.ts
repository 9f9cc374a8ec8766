import { secretFromEnv, type Secret } from '@manifold/platform/auth';
import { ConfigError, loadEnv } from '@manifold/platform/config';
import { GatewayEnv, loadSubgraphTimeouts, loadSubgraphUrlOverrides } from './config.ts';
import type { UsageReportingOptions } from './plugins/usage-reporting.ts';
import { loadSupergraph, type Supergraph } from './supergraph.ts';

/** Where the supergraph comes from: a file read once (the default), or the schema registry, followed. */
export type SupergraphConfig =
  | { kind: 'file'; supergraph: Supergraph }
  | {
      kind: 'registry';
      /** The registry's base URL (SUPERGRAPH_SOURCE). */
      url: string;
      apiKey: Secret | undefined;
      lastGoodPath: string;
      /** `SUBGRAPH_<NAME>_URL` overrides, applied to every version. */
      overrides: ReadonlyMap<string, string>;
    };

export interface GatewayConfig {
  env: GatewayEnv;
  supergraph: SupergraphConfig;
  /** `SUBGRAPH_<NAME>_TIMEOUT_MS`, by subgraph name. */
  subgraphTimeouts: Map<string, number>;
  /** Usage reporting to the registry, when USAGE_REPORTING_URL is set. */
  usageReporting: UsageReportingOptions | undefined;
}

/**
 * Everything the gateway takes from its environment — variables, `SUBGRAPH_<NAME>_URL` overrides,
 * the supergraph file they point at (unless it follows the registry), credentials — checked
 * together, so one ConfigError lists every problem.
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
  const present = (name: string) => source[name] !== undefined && source[name] !== '';
  const sourceKey = collect(() => secretFromEnv(source, 'SUPERGRAPH_SOURCE_API_KEY'));
  const usageKey = collect(() => secretFromEnv(source, 'USAGE_REPORTING_API_KEY'));

  let supergraph: SupergraphConfig | undefined;
  if (present('SUPERGRAPH_SOURCE')) {
    if (env?.SUPERGRAPH_SOURCE !== undefined)
      supergraph = {
        kind: 'registry',
        url: env.SUPERGRAPH_SOURCE,
        apiKey: sourceKey,
        lastGoodPath: env.SUPERGRAPH_LAST_GOOD_PATH,
        overrides: overrides ?? new Map(),
      };
  } else {
    // Even with bad overrides, read the supergraph: its own problems belong in the same report.
    const supergraphPath =
      env?.SUPERGRAPH_PATH ??
      GatewayEnv.shape.SUPERGRAPH_PATH.safeParse(source['SUPERGRAPH_PATH'] || undefined).data;
    const loaded =
      supergraphPath === undefined
        ? undefined
        : collect(() => loadSupergraph(supergraphPath, overrides ?? new Map()));
    if (loaded) supergraph = { kind: 'file', supergraph: loaded };
  }
  // A file names its subgraphs, so a timeout for any other is a mistake; a registry's versions
  // may add subgraphs later, so there every SUBGRAPH_<NAME>_TIMEOUT_MS is taken at its word.
  const subgraphNames =
    supergraph?.kind === 'file'
      ? supergraph.supergraph.subgraphs.map((subgraph) => subgraph.name)
      : Object.keys(source).flatMap((key) => {
          const name = /^SUBGRAPH_([A-Z0-9_]+)_TIMEOUT_MS$/.exec(key)?.[1];
          return name === undefined ? [] : [name.toLowerCase()];
        });
  const subgraphTimeouts = collect(() => loadSubgraphTimeouts(subgraphNames, source));
  if (
    env === undefined ||
    supergraph === undefined ||
    subgraphTimeouts === undefined ||
    problems.length > 0
  )
    throw new ConfigError(problems);
  return {
    env,
    supergraph,
    subgraphTimeouts,
    usageReporting:
      env.USAGE_REPORTING_URL === undefined
        ? undefined
        : {
            registryUrl: env.USAGE_REPORTING_URL,
            apiKey: usageKey ?? sourceKey,
            intervalMs: env.USAGE_REPORTING_INTERVAL_MS,
            maxEntries: env.USAGE_REPORTING_MAX_ENTRIES,
          },
  };
}
