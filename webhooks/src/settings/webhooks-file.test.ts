import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createRouter } from './routing.ts';
import { loadWebhooksFile } from './webhooks-file.ts';

const write = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'webhooks-file-')), 'webhooks.yaml');
  writeFileSync(path, text);
  return path;
};

describe('loadWebhooksFile', () => {
  it('reads the committed deploy/webhooks.yaml', () => {
    const file = loadWebhooksFile(
      fileURLToPath(new URL('../../../deploy/webhooks.yaml', import.meta.url)),
      {},
    );
    expect(Object.keys(file.sources)).toEqual([
      'stripe',
      'github',
      'shopify',
      'standard',
      'partner',
      'manifold',
    ]);
    expect(file.destinations['crm']?.url).toBe('http://127.0.0.1:8083/crm/events');
  });

  it('takes destination URLs from the environment', () => {
    const path = write('destinations: { crm: { url: "${CRM_URL}" } }\n');
    expect(
      loadWebhooksFile(path, { CRM_URL: 'https://crm.example/hooks' }).destinations['crm']?.url,
    ).toBe('https://crm.example/hooks');
    expect(() => loadWebhooksFile(path, {})).toThrow(/CRM_URL.*not set/);
  });

  it('refuses routes to unknown sources or destinations, listing each', () => {
    const path = write('routes: [{ source: stripe, to: [crm] }]\n');
    expect(() => loadWebhooksFile(path, {})).toThrow(
      /unknown source stripe[\s\S]*unknown destination crm/,
    );
  });
});

describe('createRouter', () => {
  it('routes by event type, prefix patterns included, each destination once', () => {
    const route = createRouter([
      { source: 'stripe', events: ['invoice.*'], to: ['accounting', 'crm'] },
      { source: 'stripe', events: ['invoice.paid'], to: ['crm', 'chat'] },
      { source: 'github', events: ['*'], to: ['chat'] },
    ]);
    expect(route('stripe', 'invoice.paid')).toEqual(['accounting', 'crm', 'chat']);
    expect(route('stripe', 'invoice.voided')).toEqual(['accounting', 'crm']);
    expect(route('stripe', 'customer.created')).toEqual([]);
    expect(route('github', 'push')).toEqual(['chat']);
  });
});
