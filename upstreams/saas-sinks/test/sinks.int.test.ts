// The reference sinks over real HTTP: Idempotency-Key honoured (one effect, the first answer
// again), a rate limit answering 429 + Retry-After, injected failures without effect, the admin
// routes only outside production.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { silentLogger } from '@manifold/platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createSink, SINK_NAMES } from '../src/sinks.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function start({ production = false, ratePerSecond = 100 } = {}) {
  const sinks = new Map(
    SINK_NAMES.map((name) => [
      name,
      createSink(name, { ratePerSecond, failures: { ratio: 0, status: 503, latencyMs: 0 } }),
    ]),
  );
  server = createServer(createApp({ sinks, logger: silentLogger(), production })).listen(
    0,
    '127.0.0.1',
  );
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const post = (path: string, key: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        'x-manifold-event-id': key,
      },
      body: '{}',
    });
  const effects = async (sink: string) =>
    (await (await fetch(`${url}/${sink}/effects`)).json()) as {
      requests: number;
      effects: { idempotencyKey: string }[];
      repeats: number;
      limited: number;
      injectedFailures: number;
    };
  const admin = (body: unknown) =>
    fetch(`${url}/admin/failures`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { url, post, effects, admin };
}

describe('saas-sinks', () => {
  it('applies an Idempotency-Key once and answers a repeat as the first time', async () => {
    const { post, effects } = await start();
    const first = await post('/crm/events', 'k1');
    expect(first.status).toBe(201);
    const body = await first.text();
    const again = await post('/crm/events', 'k1');
    expect(again.status).toBe(201);
    expect(await again.text()).toBe(body);
    const chat = await post('/chat/hooks', 'k1');
    expect([chat.status, await chat.text()]).toEqual([200, 'ok']);
    expect(await effects('crm')).toMatchObject({
      requests: 2,
      repeats: 1,
      effects: [{ idempotencyKey: 'k1' }],
    });
    expect((await effects('accounting')).effects).toHaveLength(0);
  });

  it('answers 429 with Retry-After beyond its rate, with no effect', async () => {
    const { post, effects } = await start({ ratePerSecond: 2 });
    const statuses = [];
    for (const key of ['a', 'b', 'c']) statuses.push(await post('/accounting/events', key));
    expect(statuses.map((response) => response.status)).toEqual([201, 201, 429]);
    expect(Number(statuses[2]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await effects('accounting')).toMatchObject({ limited: 1 });
    expect((await effects('accounting')).effects).toHaveLength(2);
  });

  it('fails on request (admin route) without effect, and a later retry with the key applies once', async () => {
    const { post, effects, admin } = await start();
    expect((await admin({ sink: 'crm', ratio: 1, status: 502 })).status).toBe(200);
    expect((await post('/crm/events', 'k2')).status).toBe(502);
    expect((await admin({ sink: 'crm', ratio: 1.5 })).status).toBe(400);
    await admin({ sink: 'crm', ratio: 0 });
    expect((await post('/crm/events', 'k2')).status).toBe(201);
    expect(await effects('crm')).toMatchObject({
      injectedFailures: 1,
      effects: [{ idempotencyKey: 'k2' }],
    });
  });

  it('has no admin routes in production', async () => {
    const { admin } = await start({ production: true });
    expect((await admin({ ratio: 1 })).status).toBe(404);
  });
});
