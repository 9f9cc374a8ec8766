import { describe, expect, it } from 'vitest';
import { deadLettersWiring } from './dead-letters-wiring.ts';

const options = {
  webhooksRunning: true,
  privateRedisUrl: 'redis://127.0.0.1:6390',
  legacyAdapterUrl: 'http://127.0.0.1:4200',
  env: {},
};

describe('deadLettersWiring', () => {
  it('points soap-proxy and the adapter at the private queue Redis, and webhooks at the adapter', () => {
    expect(deadLettersWiring(options)).toEqual({
      'soap-proxy': { WEBHOOKS_REDIS_URL: 'redis://127.0.0.1:6390' },
      'legacy-rest-adapter': { WEBHOOKS_REDIS_URL: 'redis://127.0.0.1:6390' },
      webhooks: { WEBHOOKS_LEGACY_ADAPTER_URL: 'http://127.0.0.1:4200' },
    });
  });

  it('wires nothing without the webhooks service, and leaves a configured Redis and adapter URL alone', () => {
    expect(deadLettersWiring({ ...options, webhooksRunning: false })).toEqual({});
    expect(
      deadLettersWiring({
        ...options,
        privateRedisUrl: undefined,
        env: { WEBHOOKS_LEGACY_ADAPTER_URL: 'https://adapter.internal' },
      }),
    ).toEqual({});
  });
});
