import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsWiring } from './events-wiring.ts';

const options = (env: NodeJS.ProcessEnv = {}, webhooksRunning = true) => ({
  webhooksRunning,
  webhooksUrl: 'http://127.0.0.1:4300',
  secretPath: join(mkdtempSync(join(tmpdir(), 'events-wiring-')), 'webhooks', 'events.secret'),
  env,
});

describe('eventsWiring', () => {
  it('points orders and products at the manifold source, all three on one owner-only secret made once', () => {
    const first = options();
    const wiring = eventsWiring(first);
    expect(wiring).toEqual({
      webhooks: { WEBHOOKS_MANIFOLD_EVENTS_SECRET_FILE: first.secretPath },
      orders: {
        ORDERS_EVENTS_URL: 'http://127.0.0.1:4300/hooks/manifold',
        ORDERS_EVENTS_SECRET_FILE: first.secretPath,
      },
      products: {
        PRODUCTS_EVENTS_URL: 'http://127.0.0.1:4300/hooks/manifold',
        PRODUCTS_EVENTS_SECRET_FILE: first.secretPath,
      },
    });
    const secret = readFileSync(first.secretPath, 'utf8');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=\n$/);
    expect(statSync(first.secretPath).mode & 0o777).toBe(0o600);
    eventsWiring(first); // a second start keeps the install's secret
    expect(readFileSync(first.secretPath, 'utf8')).toBe(secret);
  });

  it('wires nothing without the webhooks service, or when the operator set the source secret', () => {
    expect(eventsWiring(options({}, false))).toEqual({});
    expect(eventsWiring(options({ WEBHOOKS_MANIFOLD_EVENTS_SECRET_FILE: '/run/secret' }))).toEqual(
      {},
    );
  });

  it("keeps a sender's variable the operator set", () => {
    const wiring = eventsWiring(options({ ORDERS_EVENTS_URL: 'http://hooks.internal/manifold' }));
    expect(wiring['orders']).not.toHaveProperty('ORDERS_EVENTS_URL');
    expect(wiring['orders']).toHaveProperty('ORDERS_EVENTS_SECRET_FILE');
  });
});
