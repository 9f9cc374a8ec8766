import { ConfigError } from '@manifold/platform/config';
import { describe, expect, it } from 'vitest';
import { loadSubgraphTimeouts } from './config.ts';

describe('loadSubgraphTimeouts', () => {
  const names = ['users', 'order-history'];

  it('reads SUBGRAPH_<NAME>_TIMEOUT_MS per subgraph (NAME as in SUBGRAPH_<NAME>_URL), ignoring the global one', () => {
    expect(
      loadSubgraphTimeouts(names, {
        SUBGRAPH_TIMEOUT_MS: '10000',
        SUBGRAPH_USERS_TIMEOUT_MS: '1500',
        SUBGRAPH_ORDER_HISTORY_TIMEOUT_MS: '8000',
        SUBGRAPH_USERS_URL: 'http://127.0.0.1:1/graphql',
      }),
    ).toEqual(
      new Map([
        ['users', 1_500],
        ['order-history', 8_000],
      ]),
    );
  });

  it('lists every variable that names no subgraph or is not a positive number', () => {
    let problems: readonly string[] = [];
    try {
      loadSubgraphTimeouts(names, {
        SUBGRAPH_REVIEWS_TIMEOUT_MS: '100',
        SUBGRAPH_USERS_TIMEOUT_MS: 'soon',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toContain('SUBGRAPH_REVIEWS_TIMEOUT_MS');
    expect(problems.join('\n')).toContain('SUBGRAPH_USERS_TIMEOUT_MS');
  });
});
