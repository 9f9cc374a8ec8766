// The reference sinks over real HTTP: Idempotency-Key honoured (one effect, the first answer
// again), a rate limit answering 429 + Retry-After that lifts once the wait it names has passed,
// injected failures without effect at exactly the configured share, clear 4xx for bad input, the
// admin routes only outside production.
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

async function start({
  production = false,
  ratePerSecond = 100,
  failures = { ratio: 0, status: 503, latencyMs: 0 },
  random = Math.random,
} = {}) {
  const sinks = new Map(
    SINK_NAMES.map((name) => [name, createSink(name, { ratePerSecond, failures, random })]),
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
      effects: { idempotencyKey: string; eventId?: string }[];
      repeats: number;
      limited: number;
      injectedFailures: number;
      failureInjection: { ratio: number; status: number; latencyMs: number };
      ratePerSecond: number;
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

  it('lifts its limit once the Retry-After it answered has passed, and limits each sink on its own', async () => {
    const { post, effects } = await start({ ratePerSecond: 1 });
    expect((await post('/crm/events', 'first')).status).toBe(201);
    const limited = await post('/crm/events', 'second');
    expect(limited.status).toBe(429);
    // delta-seconds (RFC 9110 §10.2.3): a whole number; the window is one second, so exactly 1.
    const retryAfter = limited.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBe(1);
    expect((await post('/chat/hooks', 'second')).status).toBe(200);
    // Waiting exactly what the sink asked for is the contract under test (a client honouring
    // Retry-After does just that, once), hence a fixed wait here rather than polling.
    await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
    expect((await post('/crm/events', 'second')).status).toBe(201);
    expect(await effects('crm')).toMatchObject({
      limited: 1,
      effects: [{ idempotencyKey: 'first' }, { idempotencyKey: 'second' }],
    });
  });

  it('fails exactly the configured share of requests, with the configured status and no effect', async () => {
    // Draws spread evenly over [0, 1) stand in for Math.random, so the share is exact: with a
    // ratio of 0.3, the three draws under 0.3 in every ten fail.
    const draws = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95];
    let drawn = 0;
    const { post, effects } = await start({
      failures: { ratio: 0.3, status: 408, latencyMs: 0 },
      random: () => draws[drawn++ % draws.length]!,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i += 1) statuses.push((await post('/crm/events', `r-${i}`)).status);
    expect(statuses.filter((status) => status === 408)).toHaveLength(30);
    expect(statuses.filter((status) => status === 201)).toHaveLength(70);
    const report = await effects('crm');
    expect(report).toMatchObject({ requests: 100, injectedFailures: 30 });
    expect(report.effects).toHaveLength(70);
    expect(report.effects.map((effect) => effect.idempotencyKey)).not.toContain('r-0');
  });

  it('applies every request without an Idempotency-Key (nothing to recognise a repeat by)', async () => {
    const { url, effects } = await start();
    for (let i = 0; i < 2; i += 1)
      expect((await fetch(`${url}/accounting/events`, { method: 'POST', body: '{}' })).status).toBe(
        201,
      );
    expect(await effects('accounting')).toMatchObject({ repeats: 0 });
    expect((await effects('accounting')).effects).toHaveLength(2);
  });

  it('refuses bad admin input with a 400 naming the field, changing nothing, and an unknown sink with a 404', async () => {
    const { url, post, effects, admin } = await start();
    const refused = [
      [{ sink: 'erp', ratio: 1 }, '/sink'],
      [{ ratio: 1, status: 302 }, '/status'],
      [{ ratio: '1' }, '/ratio'],
      [{ ratio: 1, latencyMs: -1 }, '/latencyMs'],
      [{ ratio: 1, ratePerSecond: 0 }, '/ratePerSecond'],
    ] as const;
    for (const [body, pointer] of refused) {
      const response = await admin(body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({
        code: 'BAD_USER_INPUT',
        errors: [expect.objectContaining({ pointer })],
      });
    }
    const malformed = await fetch(`${url}/admin/failures`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"ratio": 1',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ detail: 'Malformed JSON body' });
    // No refused body changed the injection: every sink still applies.
    expect((await post('/crm/events', 'after')).status).toBe(201);
    expect(await effects('crm')).toMatchObject({
      failureInjection: { ratio: 0, status: 503, latencyMs: 0 },
      ratePerSecond: 100,
    });
    const unknown = await fetch(`${url}/erp/events`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
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
