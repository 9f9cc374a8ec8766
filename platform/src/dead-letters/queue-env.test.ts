import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../config/index.ts';
import { hasHashTag, WebhooksQueueEnv } from './queue-env.ts';

describe('the webhooks queue prefix', () => {
  it('has a hash tag when a `{` is followed by a `}` with something between', () => {
    for (const prefix of ['{webhooks}', 'acme:{webhooks}', '{a}b', 'x{y}z{', '{{a}'])
      expect(hasHashTag(prefix), prefix).toBe(true);
    for (const prefix of ['webhooks', '{}webhooks', '}{webhooks', '{webhooks', 'webhooks}', ''])
      expect(hasHashTag(prefix), prefix).toBe(false);
  });

  it('is {webhooks} by default, and refused at start without a hash tag', () => {
    expect(loadEnv(WebhooksQueueEnv, {}).WEBHOOKS_QUEUE_PREFIX).toBe('{webhooks}');
    expect(
      loadEnv(WebhooksQueueEnv, { WEBHOOKS_QUEUE_PREFIX: 'acme:{hooks}' }).WEBHOOKS_QUEUE_PREFIX,
    ).toBe('acme:{hooks}');
    let refused: unknown;
    try {
      loadEnv(WebhooksQueueEnv, { WEBHOOKS_QUEUE_PREFIX: 'acme-webhooks' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      expect.stringMatching(/^WEBHOOKS_QUEUE_PREFIX: needs a Redis Cluster hash tag/),
    ]);
  });
});
