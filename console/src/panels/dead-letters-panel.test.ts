import type { AddressInfo } from 'node:net';
import { Script } from 'node:vm';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhooksApiError, type WebhooksClient } from '../sources/webhooks-client.ts';
import { deadLettersPanel } from './dead-letters-panel.ts';

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** The panel's routes over HTTP, answering from `client` (a stand-in for the webhooks API). */
async function panelServing(client: Partial<WebhooksClient>) {
  const { routes } = deadLettersPanel({ client: client as WebhooksClient });
  if (routes === undefined) throw new Error('the dead-letter panel has no routes');
  const server = express().use(routes).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const unreachable = () =>
  Promise.reject(
    new WebhooksApiError(502, 'UPSTREAM_UNAVAILABLE', 'the webhooks API is unreachable'),
  );

describe('the dead-letter panel’s block of what is stopped', () => {
  it('shows one refusal when the webhooks API fails both of its reads alike', async () => {
    const url = await panelServing({ destinations: unreachable, endpoints: unreachable });
    const response = await fetch(`${url}/stopped`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html.match(/data-error-code="UPSTREAM_UNAVAILABLE"/g)).toHaveLength(1);
  });

  it('shows each refusal when the two reads fail differently', async () => {
    const url = await panelServing({
      destinations: unreachable,
      endpoints: () =>
        Promise.reject(
          new WebhooksApiError(403, 'FORBIDDEN', 'the console may not read endpoints'),
        ),
    });
    const html = await (await fetch(`${url}/stopped`)).text();
    expect(html.match(/data-error-code="UPSTREAM_UNAVAILABLE"/g)).toHaveLength(1);
    expect(html.match(/data-error-code="FORBIDDEN"/g)).toHaveLength(1);
  });
});

describe('the dead-letter panel’s browser code', () => {
  it('is a script a browser can parse (it is written inside a template string)', () => {
    const { script } = deadLettersPanel({ client: undefined });
    expect(script).toBeDefined();
    expect(() => new Script(script ?? '')).not.toThrow();
  });
});
