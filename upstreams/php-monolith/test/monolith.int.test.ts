import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPhpServer, type PhpServer } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The reference legacy monolith keeps its 2014 quirks on purpose: legacy-rest-adapter must tame them.
// These tests pin the quirks down, so the adapter's tests can rely on them.
let app: PhpServer;
beforeAll(async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'monolith-'));
  app = await startPhpServer({
    router: fileURLToPath(new URL('../router.php', import.meta.url)),
    env: {
      LEGACY_DATABASE_PATH: join(scratch, 'legacy.sqlite'),
      LEGACY_SESSION_PATH: join(scratch, 'sessions'),
      LEGACY_SESSION_IDLE_SECONDS: '2',
      LEGACY_SLOW_MS: '300',
    },
  });
});
afterAll(async () => {
  await app.stop();
});

async function login(): Promise<string> {
  const response = await fetch(`${app.url}/index.php?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=api&password=api-secret',
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  const cookie = response.headers.get('set-cookie')?.match(/PHPSESSID=[^;]+/)?.[0];
  expect(cookie).toBeDefined();
  return cookie!;
}

const get = (path: string, cookie: string) =>
  fetch(`${app.url}${path}`, { headers: { cookie }, redirect: 'manual' });

describe('the reference PHP monolith', () => {
  it('answers JSON with numbers as strings, Y/N flags, local dates and names in ISO-8859-1', async () => {
    const cookie = await login();
    const response = await get('/index.php?action=customer&id=7', cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('charset=ISO-8859-1');
    const body = JSON.parse(new TextDecoder('latin1').decode(await response.arrayBuffer())) as {
      customer: Record<string, string>;
    };
    expect(body.customer).toMatchObject({
      id: '7',
      first_name: 'José',
      last_name: 'Schröder',
      vip: 'N',
    });
    expect(body.customer['created']).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  });

  it('uses 0000-00-00 for no date and repeats 02:30 across the 2014 DST change', async () => {
    const cookie = await login();
    const invoice = async (id: number) =>
      (
        (await (await get(`/index.php?action=invoice&id=${id}`, cookie)).json()) as {
          invoice: Record<string, string>;
        }
      ).invoice;
    const [before, after] = [await invoice(500), await invoice(1000)];
    expect(before['issued']).toBe('26/10/2014 02:30'); // 00:30 UTC, still CEST
    expect(after['issued']).toBe('26/10/2014 02:30'); // 01:30 UTC, already CET: the same wall-clock time
    // The seed leaves invoice 500 unpaid: "no date" is the legacy zero date.
    expect(before['paid']).toBe('N');
    expect(before['paid_on']).toBe('0000-00-00');
  });

  it('paginates with page/per_page, capping per_page at 100', async () => {
    const cookie = await login();
    const page = (await (
      await get('/index.php?action=tickets&status=open&page=2&per_page=500', cookie)
    ).json()) as { page: string; per_page: string; total: string; tickets: unknown[] };
    expect(page).toMatchObject({ page: '2', per_page: '100' });
    expect(page.tickets).toHaveLength(100);
    expect(Number(page.total)).toBeGreaterThan(200);
  });

  it('reports errors as HTTP 200 with status "error"', async () => {
    const cookie = await login();
    const missing = await get('/index.php?action=customer&id=999999', cookie);
    expect(missing.status).toBe(200);
    expect(await missing.json()).toEqual({ status: 'error', msg: 'Customer not found' });
    expect(await (await fetch(`${app.url}/index.php?action=customer&id=1`)).json()).toEqual({
      status: 'error',
      msg: 'Not logged in',
    });
  });

  it('expires an idle session', async () => {
    const cookie = await login();
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    expect(await (await get('/index.php?action=customer&id=1', cookie)).json()).toEqual({
      status: 'error',
      msg: 'Session expired, please log in again',
    });
  });

  it('creates a ticket only with the form’s CSRF token, answers 302, and re-renders HTML on validation errors', async () => {
    const cookie = await login();
    const form = await (await get('/index.php?action=ticket_new', cookie)).text();
    const token = /name="csrf_token" value="([a-f0-9]+)"/.exec(form)?.[1];
    expect(token).toBeDefined();
    const post = (body: string) =>
      fetch(`${app.url}/index.php?action=ticket_new`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
      });

    expect(await (await post('csrf_token=forged&customer_id=7&subject=Hi')).text()).toContain(
      'Invalid form token',
    );
    const invalid = await (
      await post(`csrf_token=${token!}&customer_id=7&subject=&priority=urgent`)
    ).text();
    expect(invalid).toContain('<li data-field="subject">Subject is required</li>');
    expect(invalid).toContain('<li data-field="priority">');
    const created = await post(
      `csrf_token=${token!}&customer_id=7&subject=Paket%20fehlt&priority=high`,
    );
    expect(created.status).toBe(302);
    const location = created.headers.get('location')!;
    const ticket = (await (await get(`/${location}`, cookie)).json()) as {
      ticket: { subject: string; urgent: string; status: string };
    };
    expect(ticket.ticket).toMatchObject({ subject: 'Paket fehlt', urgent: 'Y', status: 'open' });
  });

  it('answers the loyalty history as XML, and the report slowly', async () => {
    const cookie = await login();
    const xml = await get('/loyalty_history.php?customer=7&per_page=2', cookie);
    expect(xml.headers.get('content-type')).toContain('text/xml');
    expect(await xml.text()).toMatch(
      /^<\?xml[\s\S]*<history customer="7" page="1" total="\d+"><event><id>\d+<\/id>/,
    );
    const started = performance.now();
    expect((await get('/report.php?customer=7', cookie)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('injects failures and counts calls through its test hooks', async () => {
    const cookie = await login();
    await fetch(`${app.url}/_test/reset`, { method: 'POST' });
    await fetch(`${app.url}/_test/plan`, {
      method: 'POST',
      body: JSON.stringify({ operation: 'invoice', mode: 'http503', times: 1 }),
    });
    expect((await get('/index.php?action=invoice&id=1', cookie)).status).toBe(503);
    expect((await get('/index.php?action=invoice&id=1', cookie)).status).toBe(200);
    expect(await (await fetch(`${app.url}/_test/calls?operation=invoice`)).json()).toEqual({
      count: 2,
    });
  });
});
