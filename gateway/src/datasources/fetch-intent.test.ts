import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { describe, expect, it } from 'vitest';
import { intentOf } from './fetch-intent.ts';

/** A fetch of the query plan of an incoming `operation`, sending the subgraph `query`. */
const fetchOf = (operation: 'query' | 'mutation', query: string) =>
  ({
    kind: 'incoming operation',
    request: { query },
    context: {},
    incomingRequestContext: { operation: { operation } },
  }) as unknown as GraphQLDataSourceProcessOptions;

describe('intentOf', () => {
  it('repeats and shares the reads of an incoming query', () => {
    for (const query of [
      '{ me { id } }',
      'query Storefront__users__0 { me { id } }',
      'query($representations:[_Any!]!){_entities(representations:$representations){...on User{name}}}',
    ])
      expect(intentOf(fetchOf('query', query)), query).toEqual({ retry: true, share: true });
  });

  it('never repeats nor shares a mutation', () => {
    expect(
      intentOf(fetchOf('mutation', 'mutation PlaceOrder__orders__0 { placeOrder { id } }')),
    ).toEqual({
      retry: false,
      share: false,
    });
  });

  it("repeats the reads a mutation's plan makes after it, but never shares them", () => {
    expect(
      intentOf(
        fetchOf('mutation', 'query PlaceOrder__products__1($representations:[_Any!]!){_entities}'),
      ),
    ).toEqual({ retry: true, share: false });
  });

  it('treats a document it cannot place (a fragment first) as neither', () => {
    expect(intentOf(fetchOf('query', 'fragment F on User { id } query { me { ...F } }'))).toEqual({
      retry: false,
      share: false,
    });
  });

  it('treats fetches outside an incoming operation (health checks) as neither', () => {
    expect(
      intentOf({
        kind: 'health check',
        request: { query: '{ __typename }' },
        context: {},
      } as unknown as GraphQLDataSourceProcessOptions),
    ).toEqual({ retry: false, share: false });
  });
});
