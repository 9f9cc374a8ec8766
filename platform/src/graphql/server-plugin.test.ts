import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { describe, expect, it } from 'vitest';
import { useProductionGuards } from './plugins/production-guards.ts';
import { composePlugins, type ServerPlugin } from './server-plugin.ts';

const hook = (): ApolloServerPlugin => ({});

describe('composePlugins', () => {
  it('adds up what every plugin contributes: a later plugin never drops the production guards', () => {
    const auth = hook();
    const composed = composePlugins<BaseContext>([
      useProductionGuards({ production: true }),
      { name: 'auth', apollo: [auth], validationRules: [NoSchemaIntrospectionCustomRule] },
    ]);
    expect(composed.serverOptions).toMatchObject({
      introspection: false,
      hideSchemaDetailsFromClientErrors: true,
      includeStacktraceInErrorResponses: false,
      stopOnTerminationSignals: false,
    });
    expect(composed.serverOptions.plugins).toHaveLength(2);
    expect(composed.serverOptions.plugins[1]).toBe(auth);
    expect(composed.serverOptions.validationRules).toEqual([NoSchemaIntrospectionCustomRule]);
  });

  it('refuses at start-up a second plugin that sets an option another already owns', () => {
    const sneaky: ServerPlugin<BaseContext> = {
      name: 'sneaky',
      serverOptions: { introspection: true },
    };
    expect(() =>
      composePlugins<BaseContext>([useProductionGuards({ production: true }), sneaky]),
    ).toThrow(/"production-guards" and "sneaky" both set the server option "introspection"/);
  });

  it('runs middleware, routes and context hooks in plugin order, and closes in reverse', async () => {
    const order: string[] = [];
    const plugin = (name: string): ServerPlugin<{ seen: string[] }> => ({
      name,
      http: [
        (_req, _res, next) => {
          next();
        },
      ],
      body: [
        (_req, _res, next) => {
          next();
        },
      ],
      routes: () => order.push(`routes:${name}`),
      context: (context) => {
        context.seen.push(name);
      },
      close: () => {
        order.push(`close:${name}`);
      },
    });
    const composed = composePlugins([plugin('a'), plugin('b')]);
    expect(composed.http).toHaveLength(2);
    expect(composed.body).toHaveLength(2);
    composed.routes({} as never);
    const context = await composed.extendContext({ seen: [] }, {} as never);
    await composed.close();
    expect(context.seen).toEqual(['a', 'b']);
    expect(order).toEqual(['routes:a', 'routes:b', 'close:b', 'close:a']);
  });
});
