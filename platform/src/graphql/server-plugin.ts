import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Express, RequestHandler } from 'express';
import type { ValidationRule } from 'graphql';
import type { RequestInfo } from './http-app.ts';

/**
 * Apollo Server options a plugin may set. Each may be set by one plugin only: a second plugin
 * setting the same option is a start-up error, never a silent override.
 */
export type ServerOptions<TContext extends BaseContext> = Partial<
  Pick<
    ApolloServerOptions<TContext>,
    | 'introspection'
    | 'hideSchemaDetailsFromClientErrors'
    | 'includeStacktraceInErrorResponses'
    | 'formatError'
    | 'csrfPrevention'
    | 'persistedQueries'
    | 'allowBatchedHttpRequests'
    | 'stopOnTerminationSignals'
    | 'nodeEnv'
  >
>;

/**
 * One concern of a GraphQL service (production guards, CORS, persisted queries, health, and later
 * authentication, rate limits, telemetry), in the spirit of Hive Gateway's `use*` plugins. Every
 * hook is optional; plugins run in the order they are listed, and what they contribute is added
 * up — one plugin can never drop what another put in.
 *
 * Lifecycle of a request, and which hook runs where:
 *   request id → access log → `routes` (health, metrics) → `http` middleware (in plugin order)
 *   → JSON body → `body` middleware (in plugin order) → Apollo (`apollo` plugins, `validationRules`)
 *   with the context `context` built → 404 → problem+json
 */
export interface ServerPlugin<TContext extends BaseContext> {
  /** Names the plugin in start-up errors. */
  readonly name: string;
  /** Apollo Server options this plugin owns (see {@link ServerOptions}). */
  readonly serverOptions?: ServerOptions<TContext>;
  /** Apollo lifecycle hooks (request didResolveOperation, willSendResponse, …). */
  readonly apollo?: readonly ApolloServerPlugin<TContext>[];
  /** GraphQL validation rules, run after the specification's own. */
  readonly validationRules?: readonly ValidationRule[];
  /** Express middleware in front of the GraphQL endpoint (CORS, CSRF, authentication, rate limits). */
  readonly http?: readonly RequestHandler[];
  /**
   * Express middleware that reads the parsed request (`req.body` for a POST, the query string for a
   * GET), after the JSON body parser and before Apollo: trusted documents, operation limits.
   */
  readonly body?: readonly RequestHandler[];
  /** Routes beside the GraphQL endpoint (health, readiness, metrics). */
  readonly routes?: (app: Express) => void;
  /** Adds to the per-request context, after the service built its own part. */
  readonly context?: (context: TContext, info: RequestInfo) => void | Promise<void>;
  /** Releases what the plugin owns, at shutdown. */
  readonly close?: () => void | Promise<void>;
}

/** What a list of plugins adds up to, ready for `new ApolloServer` and the HTTP app. */
export interface ComposedPlugins<TContext extends BaseContext> {
  serverOptions: ServerOptions<TContext> & {
    plugins: ApolloServerPlugin<TContext>[];
    validationRules: ValidationRule[];
  };
  http: RequestHandler[];
  body: RequestHandler[];
  routes: (app: Express) => void;
  extendContext: (context: TContext, info: RequestInfo) => Promise<TContext>;
  close: () => Promise<void>;
}

/** Adds the plugins up, in order; two plugins owning one server option is an error. */
export function composePlugins<TContext extends BaseContext>(
  plugins: readonly ServerPlugin<TContext>[],
): ComposedPlugins<TContext> {
  const owners = new Map<string, string>();
  const serverOptions: ComposedPlugins<TContext>['serverOptions'] = {
    plugins: [],
    validationRules: [],
  };
  for (const plugin of plugins) {
    for (const [option, value] of Object.entries(plugin.serverOptions ?? {})) {
      const owner = owners.get(option);
      if (owner !== undefined)
        throw new Error(
          `GraphQL plugins "${owner}" and "${plugin.name}" both set the server option "${option}"`,
        );
      owners.set(option, plugin.name);
      Object.assign(serverOptions, { [option]: value });
    }
    serverOptions.plugins.push(...(plugin.apollo ?? []));
    serverOptions.validationRules.push(...(plugin.validationRules ?? []));
  }
  const contextHooks = plugins.flatMap((plugin) => (plugin.context ? [plugin.context] : []));
  return {
    serverOptions,
    http: plugins.flatMap((plugin) => plugin.http ?? []),
    body: plugins.flatMap((plugin) => plugin.body ?? []),
    routes: (app) => {
      for (const plugin of plugins) plugin.routes?.(app);
    },
    extendContext: async (context, info) => {
      for (const hook of contextHooks) await hook(context, info);
      return context;
    },
    close: async () => {
      // Last in, first out: a later plugin may rely on an earlier one until it is closed.
      for (const plugin of [...plugins].reverse()) await plugin.close?.();
    },
  };
}
