// The ops console's dead-letter panel in real headless Chromium, against a real webhooks process
// on a real Redis (AOF) with real dead letters: a destination answering 503 and then 400 makes a
// dead letter of two attempts, one answering 422 a dead letter at once. Filter (by each field:
// source, event type, destination, time range, error), inspect (attempts, payload), replay one,
// replay all matching after a dry run — each replay seen arriving at the destination under its
// original Idempotency-Key.
// A destination paused for failing (its breaker set to pause at the first failure) is shown above
// them with its deliveries held, and resumed from the panel: everything held arrives. A customer's
// endpoint disabled for failing (at its first dead letter here) is shown too, enabled from the
// panel, and what it missed replayed from its dead letters. The console
// calls the webhooks API with its own key; the browser never holds it, and a change that does not
// come from the console's own page is refused.
import { createHmac, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { e2eAccess } from '../support/access.ts';
import { freePort, startService, type ServiceProcess } from '../support/processes.ts';
import { artifactPath, launchChromium } from '../observability/support/chromium.ts';

const STRIPE_SECRET = 'whsec_console-e2e';
/** Our own events' source (order.*), and the customer's endpoint's signing secret. */
const MANIFOLD_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const ERP_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const EVENTS = 6;
/** How long a replayed delivery may take to arrive: a worker's pick-up on a busy CI machine. */
const DELIVERED = { timeout: 10_000, interval: 100 };

/**
 * The destinations: crm refuses (400) — each delivery's first attempt is answered 503 (retried,
 * WEBHOOKS_RETRY_SCHEDULE below) — chat refuses (422), accounting takes, ledger is down (503:
 * paused at once, its deliveries held); the customer's endpoint erp refuses (400: disabled at its
 * first dead letter). Each request kept.
 */
const answers: Record<string, number> = {
  crm: 400,
  chat: 422,
  accounting: 200,
  ledger: 503,
  erp: 400,
};
const received: { destination: string; idempotencyKey: string; status: number }[] = [];
let sink: Server;
let redis: RedisServer;
let webhooks: ServiceProcess;
let consoleService: ServiceProcess;
let browser: BrowserContext;
let page: Page;
let apiKey: string;
/** What was started, stopped in reverse order (whatever a failed start left running). */
const started: (() => Promise<unknown>)[] = [];

const stripeDelivery = (n: number, type = 'invoice.paid') => {
  const body = JSON.stringify({
    id: `evt_console_${n}`,
    object: 'event',
    type,
    data: { object: { amount: 4200 + n } },
  });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', STRIPE_SECRET).update(`${t}.${body}`).digest('hex');
  return {
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
  };
};

const deadLetterCount = async (query = '') => {
  const response = await fetch(`${webhooks.url}/api/v1/dead-letters?limit=1${query}`, {
    headers: { 'x-api-key': apiKey },
  });
  return ((await response.json()) as { total: number }).total;
};

beforeAll(async () => {
  sink = createServer((req, res) => {
    const destination = (req.url ?? '').slice(1);
    req.resume();
    req.on('end', () => {
      const idempotencyKey = req.headers['idempotency-key'] as string;
      const firstAttempt = !received.some(
        (r) => r.destination === destination && r.idempotencyKey === idempotencyKey,
      );
      const refusing = answers[destination] ?? 404;
      const status = destination === 'crm' && refusing === 400 && firstAttempt ? 503 : refusing;
      received.push({
        destination,
        idempotencyKey,
        status,
      });
      res.writeHead(status).end(`status ${String(status)}`);
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  started.push(() => new Promise((resolve) => sink.close(resolve)));
  const sinkUrl = `http://127.0.0.1:${String((sink.address() as AddressInfo).port)}`;
  redis = await startRedisServer({ appendOnlyDir: mkdtempSync(join(tmpdir(), 'console-dl-aof-')) });
  started.push(() => redis.stop());
  const access = e2eAccess(['webhooks:read', 'webhooks:replay']);
  apiKey = access.key;
  // The reference file's Stripe source and invoice route (crm, chat, accounting), and ledger, whose
  // breaker opens at its first transient failure and pauses it at its first opening; our own
  // events' source and a customer's endpoint for order events (disabled at its first dead letter:
  // WEBHOOKS_ENDPOINT_DISABLE_AFTER_DEAD_LETTERS below).
  const webhooksFile = join(mkdtempSync(join(tmpdir(), 'console-dl-file-')), 'webhooks.yaml');
  writeFileSync(
    webhooksFile,
    JSON.stringify({
      sources: {
        stripe: { scheme: 'stripe', secrets: ['WEBHOOKS_STRIPE_SECRET'] },
        manifold: { scheme: 'standard-webhooks', secrets: ['WEBHOOKS_MANIFOLD_EVENTS_SECRET'] },
      },
      destinations: {
        ...Object.fromEntries(
          ['crm', 'chat', 'accounting'].map((name) => [name, { url: `${sinkUrl}/${name}` }]),
        ),
        ledger: {
          url: `${sinkUrl}/ledger`,
          breaker: { failures: 1, coolDownSeconds: 3600, pauseAfterOpenings: 1 },
        },
      },
      routes: [
        { source: 'stripe', events: ['invoice.*'], to: ['accounting', 'crm', 'chat', 'ledger'] },
        // For ledger alone: to pause it again while the page is open, touching no other count.
        { source: 'stripe', events: ['ledger.check'], to: ['ledger'] },
      ],
      endpoints: {
        // order.* only: subscribed to everything, erp would also be sent its own endpoint.disabled
        // notice — a second dead letter, since it is disabled by then.
        erp: { url: `${sinkUrl}/erp`, events: ['order.*'], secrets: ['WEBHOOKS_ERP_SECRET'] },
      },
    }),
  );
  webhooks = await startService({
    name: 'webhooks',
    entry: 'webhooks/src/main.ts',
    port: await freePort(),
    env: {
      ACCESS_FILE: access.ACCESS_FILE,
      WEBHOOKS_REDIS_URL: redis.url,
      WEBHOOKS_STRIPE_SECRET: STRIPE_SECRET,
      WEBHOOKS_FILE: webhooksFile,
      WEBHOOKS_MANIFOLD_EVENTS_SECRET: MANIFOLD_SECRET,
      WEBHOOKS_ERP_SECRET: ERP_SECRET,
      WEBHOOKS_ENDPOINT_DISABLE_AFTER_DEAD_LETTERS: '1',
      // Two attempts, the second 100 ms after the first at most: crm's dead letters have both.
      WEBHOOKS_RETRY_SCHEDULE: '100ms',
    },
    readyPath: '/healthz',
  });
  started.push(() => webhooks.stop());
  for (let n = 1; n <= EVENTS; n++) {
    const delivery = stripeDelivery(n);
    const response = await fetch(`${webhooks.url}/hooks/stripe`, { method: 'POST', ...delivery });
    expect(response.status).toBe(202);
  }
  // Each event: delivered to accounting, a dead letter for crm (503, then 400) and one for chat
  // (422), and held for ledger (paused by its first 503).
  await vi.waitFor(
    async () => {
      expect(await deadLetterCount()).toBe(EVENTS * 2);
      const destinations = await fetch(`${webhooks.url}/api/v1/destinations`, {
        headers: { 'x-api-key': apiKey },
      });
      expect(await destinations.json()).toMatchObject({
        items: expect.arrayContaining([
          expect.objectContaining({ name: 'ledger', state: 'paused' }),
        ]),
      });
    },
    { timeout: 30_000, interval: 200 },
  );
  consoleService = await startService({
    name: 'console',
    entry: 'console/src/main.ts',
    port: await freePort(),
    env: {
      CONSOLE_TARGETS: `webhooks=${webhooks.url}`,
      CONSOLE_WEBHOOKS_URL: webhooks.url,
      CONSOLE_WEBHOOKS_API_KEY: access.key,
    },
    readyPath: '/healthz',
  });
  started.push(() => consoleService.stop());
  browser = await launchChromium();
  started.push(() => browser.close());
  page = await browser.newPage();
});
afterAll(async () => {
  for (const stop of started.reverse()) await stop();
});

const panel = () => page.locator('section[data-panel="dead-letters"]');
const rows = () => panel().locator('#dl-list tbody tr');

describe('the dead-letter panel in Chromium', () => {
  it('filters, inspects, replays one, and replays all matching after a dry run', async () => {
    await page.goto(consoleService.url);
    await panel()
      .locator(`#dl-list [data-total="${String(EVENTS * 2)}"]`)
      .waitFor();
    // The page holds no credential: the console calls the webhooks API itself.
    expect(await page.content()).not.toContain(apiKey);

    // Every field of the filter reaches the API: each, set to what no dead letter has, lists
    // none; source, event type and a time range around now list them all again.
    const utc = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(0, 19);
    const filterBy = async (values: Record<string, string>, total: number) => {
      for (const name of ['source', 'eventType', 'destination', 'from', 'to', 'error'])
        await panel()
          .locator(`input[name="${name}"]`)
          .fill(values[name] ?? '');
      // The list shown now marked, so that only the one this filter brings can satisfy the wait.
      // (Run in the page, as text: these tests are compiled without the DOM's types.)
      await page.evaluate(
        `for (const shown of document.querySelectorAll('#dl-list [data-total]')) shown.setAttribute('data-stale', '')`,
      );
      await panel().locator('#dl-filter button[type="submit"]').click();
      await panel()
        .locator(`#dl-list [data-total="${String(total)}"]:not([data-stale])`)
        .waitFor();
    };
    await filterBy({ source: 'github' }, 0);
    await filterBy({ eventType: 'invoice.voided' }, 0);
    await filterBy({ from: utc(3_600_000) }, 0);
    await filterBy({ to: utc(-3_600_000) }, 0);
    await filterBy({ destination: 'accounting' }, 0);
    await filterBy({ error: 'HTTP 418' }, 0);
    await filterBy(
      { source: 'stripe', eventType: 'invoice.paid', from: utc(-3_600_000), to: utc(3_600_000) },
      EVENTS * 2,
    );

    // Filter: crm's dead letters, by destination and error.
    await filterBy({ destination: 'crm', error: 'HTTP 400' }, EVENTS);
    expect(await rows().count()).toBe(EVENTS);
    for (const text of await rows().allInnerTexts()) expect(text).toContain('crm');

    // Inspect one: its two attempts, in order (503 then 400, each with its response excerpt), and
    // its payload.
    const first = rows().first();
    const id = (await first.getAttribute('data-dead-letter')) ?? '';
    await first.locator('[data-dl-inspect]').click();
    const detail = panel().locator(`[data-detail="${id}"]`);
    await detail.waitFor();
    const attempts = detail.locator('tr[data-attempt]');
    expect(await attempts.count()).toBe(2);
    expect(await attempts.nth(0).getAttribute('data-attempt')).toBe('1');
    expect(await attempts.nth(1).getAttribute('data-attempt')).toBe('2');
    expect(await attempts.nth(0).innerText()).toContain('status 503');
    expect(await attempts.nth(1).innerText()).toContain('status 400');
    expect(await detail.locator('pre.payload').innerText()).toContain('"object":"event"');

    // Replay one, crm now taking deliveries: it arrives once more, under the same Idempotency-Key.
    answers['crm'] = 200;
    await detail.locator('[data-dl-replay]').click();
    await panel().locator(`[data-replayed-id="${id}"]`).waitFor();
    await vi.waitFor(() => {
      expect(
        received.filter((r) => r.destination === 'crm' && r.idempotencyKey === id),
      ).toHaveLength(3);
    }, DELIVERED);
    await panel()
      .locator(`#dl-list [data-total="${String(EVENTS - 1)}"]`)
      .waitFor();

    // Replay all matching: a dry run first says how many and which, and sends nothing.
    const crmBefore = received.filter((r) => r.destination === 'crm').length;
    await panel().locator('#dl-replay-all').click();
    const dryRun = panel().locator(`#dl-bulk [data-matched="${String(EVENTS - 1)}"]`);
    await dryRun.waitFor();
    expect(await panel().locator('#dl-bulk tbody tr').count()).toBe(EVENTS - 1);
    expect(received.filter((r) => r.destination === 'crm')).toHaveLength(crmBefore);
    const screenshot = artifactPath('console-dead-letters', 'dead-letter-panel-dry-run.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    copyFileSync(screenshot, join(tmpdir(), 'console-dead-letter-panel.png'));
    process.stdout.write(`dead-letter panel screenshot: ${screenshot}\n`);

    await panel().locator('[data-dl-confirm]').click();
    await panel()
      .locator(`#dl-bulk [data-bulk-replayed="${String(EVENTS - 1)}"]`)
      .waitFor();
    await panel().locator('#dl-list [data-total="0"]').waitFor();
    // Every crm dead letter arrived, each once more, under its own key; chat's are untouched.
    await vi.waitFor(() => {
      expect(received.filter((r) => r.destination === 'crm')).toHaveLength(crmBefore + EVENTS - 1);
    }, DELIVERED);
    const crmKeys = received.filter((r) => r.destination === 'crm').map((r) => r.idempotencyKey);
    expect(new Set(crmKeys).size).toBe(EVENTS);
    expect(await deadLetterCount('&destination=chat')).toBe(EVENTS);
    expect(await deadLetterCount()).toBe(EVENTS);
  });

  it('shows a paused destination above the dead letters and resumes it: everything held arrives', async () => {
    await page.goto(consoleService.url);
    const paused = panel().locator('#dl-stopped [data-paused-destination="ledger"]');
    await paused.waitFor();
    // Held, not dead: none of ledger's deliveries is a dead letter.
    expect(await deadLetterCount('&destination=ledger')).toBe(0);
    expect(await panel().locator('#dl-stopped [data-paused-destination]').count()).toBe(1);

    answers['ledger'] = 200;
    await paused.locator('[data-dl-resume="ledger"]').click();
    const confirmation = panel().locator('#dl-stopped [data-resumed="ledger"]');
    await confirmation.waitFor();
    expect(await panel().locator('#dl-stopped [data-paused-destination]').count()).toBe(0);
    // The page reads what is stopped again every few seconds: with nothing changed, the
    // confirmation stays (two reads: the first has been drawn once the second is answered).
    for (let read = 0; read < 2; read++)
      await page.waitForResponse((response) =>
        response.url().endsWith('/panels/dead-letters/stopped'),
      );
    expect(await confirmation.count()).toBe(1);
    // Every event's ledger delivery arrives once it is resumed: each key answered 200 once.
    await vi.waitFor(
      () => {
        const delivered = received.filter((r) => r.destination === 'ledger' && r.status === 200);
        expect(new Set(delivered.map((r) => r.idempotencyKey)).size).toBe(EVENTS);
        expect(delivered).toHaveLength(EVENTS);
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(await deadLetterCount('&destination=ledger')).toBe(0);

    // Paused again while the page is open, and then resumed elsewhere (the API, as the CLI does):
    // the box follows both without a reload or a click, and the confirmation, out of date, goes.
    answers['ledger'] = 503;
    const check = stripeDelivery(EVENTS + 1, 'ledger.check');
    expect((await fetch(`${webhooks.url}/hooks/stripe`, { method: 'POST', ...check })).status).toBe(
      202,
    );
    await paused.waitFor({ timeout: 30_000 });
    expect(await confirmation.count()).toBe(0);
    answers['ledger'] = 200;
    const resumed = await fetch(`${webhooks.url}/api/v1/destinations/ledger/resume`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey },
    });
    expect(resumed.status).toBe(200);
    await paused.waitFor({ state: 'detached', timeout: 30_000 });
    await vi.waitFor(
      () => {
        expect(received.filter((r) => r.destination === 'ledger' && r.status === 200)).toHaveLength(
          EVENTS + 1,
        );
      },
      { timeout: 20_000, interval: 200 },
    );
  });

  it('refuses a change that does not come from the console’s own page (CSRF)', async () => {
    const replayAll = (headers: Record<string, string>) =>
      fetch(`${consoleService.url}/panels/dead-letters/replay`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ filter: {}, dryRun: false }),
      });
    // A cross-site form: no action header, a form content type.
    const form = await replayAll({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(403);
    expect(await form.json()).toMatchObject({ code: 'FORBIDDEN' });
    // Another site's script (a preflight would have been refused; its origin says so anyway).
    const crossSite = await replayAll({
      'content-type': 'application/json',
      'x-console-action': '1',
      origin: 'http://attacker.example',
    });
    expect(crossSite.status).toBe(403);
    // The stopped block's actions pass the same check.
    const enable = await fetch(`${consoleService.url}/panels/dead-letters/endpoints/erp/enable`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-console-action': '1',
        origin: 'http://attacker.example',
      },
      body: '{}',
    });
    expect(enable.status).toBe(403);
    expect(await deadLetterCount()).toBe(EVENTS);
  });
  it('shows a disabled endpoint, enables it, and replays what it missed from its dead letters', async () => {
    // One of our own order events: the customer's endpoint refuses it (400), a dead letter at
    // once, and the endpoint is disabled.
    const id = 'msg_console_order';
    const at = new Date();
    const body = JSON.stringify({ type: 'order.created', data: { id: 'ord_console' } });
    const posted = await fetch(`${webhooks.url}/hooks/manifold`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(MANIFOLD_SECRET).sign(id, at, body),
      },
    });
    expect(posted.status).toBe(202);
    await vi.waitFor(
      async () => {
        expect(await deadLetterCount('&destination=erp')).toBe(1);
        const endpoints = await fetch(`${webhooks.url}/api/v1/endpoints`, {
          headers: { 'x-api-key': apiKey },
        });
        expect(await endpoints.json()).toMatchObject({ items: [{ name: 'erp', disabled: true }] });
      },
      { timeout: 20_000, interval: 200 },
    );

    await page.goto(consoleService.url);
    const disabled = panel().locator('#dl-stopped [data-disabled-endpoint="erp"]');
    await disabled.waitFor();
    const screenshot = artifactPath(
      'console-dead-letters',
      'dead-letter-panel-disabled-endpoint.png',
    );
    await page.screenshot({ path: screenshot, fullPage: true });
    process.stdout.write(`dead-letter panel screenshot: ${screenshot}\n`);
    answers['erp'] = 200;
    await disabled.locator('[data-dl-enable="erp"]').click();
    await panel().locator('#dl-stopped [data-enabled="erp"]').waitFor();
    expect(await panel().locator('#dl-stopped [data-disabled-endpoint]').count()).toBe(0);

    // Its dead letters, from the confirmation (the filter set to its name), replayed after a dry run.
    await panel().locator('[data-dl-destination="erp"]').click();
    await panel().locator('#dl-list [data-total="1"]').waitFor();
    expect(await panel().locator('input[name="destination"]').inputValue()).toBe('erp');
    await panel().locator('#dl-replay-all').click();
    await panel().locator('#dl-bulk [data-matched="1"]').waitFor();
    await panel().locator('[data-dl-confirm]').click();
    await panel().locator('#dl-bulk [data-bulk-replayed="1"]').waitFor();
    // Refused once, then taken, under one key (its webhook-id).
    await vi.waitFor(() => {
      const erp = received.filter((r) => r.destination === 'erp');
      expect(erp.map((r) => r.status)).toEqual([400, 200]);
      expect(new Set(erp.map((r) => r.idempotencyKey)).size).toBe(1);
    }, DELIVERED);
    expect(await deadLetterCount('&destination=erp')).toBe(0);
  });
});
