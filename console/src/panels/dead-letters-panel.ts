import { DeadLetterFilter } from '@manifold/platform/contracts';
import { json, Router, type Request, type Response } from 'express';
import { ACTION_HEADER } from '../same-origin.ts';
import { WebhooksApiError, type WebhooksClient } from '../sources/webhooks-client.ts';
import {
  bulkReplayedFragment,
  detailFragment,
  dryRunFragment,
  errorFragment,
  listFragment,
  panelFrame,
  disabledFragment,
  enabledFragment,
  pausedFragment,
  replayedFragment,
  resumedFragment,
} from './dead-letters-html.ts';
import type { Panel } from './panel.ts';

export interface DeadLettersPanelOptions {
  /** The webhooks API with the console's key; absent: the panel says how to configure it. */
  client: WebhooksClient | undefined;
  /** Dead letters per page. @default 50 */
  pageSize?: number;
}

const FIELDS = DeadLetterFilter.keyof().options;

/** A `datetime-local` value (`2026-12-04T13:05`, seconds optional) read as UTC, as the form says. */
const LOCAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/;
const asIso = (value: string) =>
  LOCAL_TIME.test(value) ? `${value}${value.length === 16 ? ':00' : ''}Z` : value;

/** The filter from the form's fields (query or JSON body): strings only, blanks left out. */
function filterFrom(fields: unknown): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (typeof fields !== 'object' || fields === null) return filter;
  for (const name of FIELDS) {
    const value = (fields as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value.trim() === '') continue;
    filter[name] = name === 'from' || name === 'to' ? asIso(value.trim()) : value.trim();
  }
  return filter;
}

/** How often the page reads again what is stopped (it changes without the operator). */
const STOPPED_REFRESH_MS = 5_000;

// The panel's browser code: it swaps in the fragments the routes below render. Every change is a
// same-origin JSON POST with the console's action header (same-origin.ts).
const SCRIPT = `
(() => {
  const section = document.querySelector('section[data-panel="dead-letters"]');
  if (!section) return;
  const base = 'panels/dead-letters/';
  const form = () => section.querySelector('#dl-filter');
  const fields = () => Object.fromEntries(new FormData(form()).entries());
  const into = (id) => section.querySelector('#' + id);
  // The latest request for each place: an answer to an earlier one that comes later is dropped
  // (a listing's read of what is stopped must not undo an Enable's confirmation).
  const latest = {};
  async function show(target, request) {
    const turn = (latest[target] = (latest[target] || 0) + 1);
    into(target).setAttribute('aria-busy', 'true');
    let html;
    try {
      const response = await request;
      html = (response.headers.get('content-type') || '').includes('text/html')
        ? await response.text()
        : '<p class="panel-error">HTTP ' + response.status + '</p>';
    } catch (error) {
      html = '<p class="panel-error">The console did not answer (' + error.message + ').</p>';
    }
    if (latest[target] !== turn) return;
    into(target).innerHTML = html;
    into(target).removeAttribute('aria-busy');
    if (target === 'dl-stopped') lastStopped = undefined;
  }
  const get = (path) => fetch(base + path, { cache: 'no-store' });
  const post = (path, body) => fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', '${ACTION_HEADER}': '1' },
    body: JSON.stringify(body ?? {}),
  });
  // What is stopped changes without the operator too: a destination pauses, someone resumes one
  // from the CLI. Read again every few seconds while the page is seen, never over an operator's
  // own request (one in flight, or made since this read started, wins), and redrawn only when it
  // changed: a button under the pointer stays. The answer to a Resume or an Enable (its
  // confirmation, or why it was refused) stays above it until what is stopped changes after it.
  /** What is stopped as the last read found it; undefined: not read since the box was filled. */
  let lastStopped;
  let refreshing = false;
  async function refreshStopped() {
    const box = into('dl-stopped');
    if (!box || refreshing || document.hidden || box.hasAttribute('aria-busy')) return;
    refreshing = true;
    try {
      const turn = latest['dl-stopped'] || 0;
      const response = await get('stopped');
      if (!response.ok) return; // the next read, or the operator's next action, tells
      const html = await response.text();
      if ((latest['dl-stopped'] || 0) !== turn || box.hasAttribute('aria-busy')) return;
      if (html === lastStopped) return;
      const answer = box.querySelector(':scope > [data-dl-answer]');
      const keep = answer !== null && lastStopped === undefined;
      lastStopped = html;
      if (!keep) {
        box.innerHTML = html;
        return;
      }
      // The answer itself untouched (its button too): only what follows it is redrawn.
      while (answer.nextSibling) answer.nextSibling.remove();
      answer.insertAdjacentHTML('afterend', html);
    } catch {
      // Unreachable for now: the next read tells.
    } finally {
      refreshing = false;
    }
  }
  setInterval(refreshStopped, ${String(STOPPED_REFRESH_MS)});
  /** Marks the operator's answer at the top of the box (kept by refreshStopped). */
  const markAnswer = () => {
    const first = into('dl-stopped').firstElementChild;
    if (first && first.matches('p.ok, p.panel-error')) first.setAttribute('data-dl-answer', '');
  };
  const list = (cursor) => {
    const query = new URLSearchParams(fields());
    if (cursor) query.set('cursor', cursor);
    // The page does not refresh this panel: a new listing reads what is stopped at once too.
    return Promise.all([show('dl-list', get('list?' + query)), show('dl-stopped', get('stopped'))]);
  };
  /** A new listing: what the last one showed below the list is cleared. */
  const relist = () => {
    into('dl-bulk').innerHTML = '';
    into('dl-detail').innerHTML = '';
    return list();
  };
  section.addEventListener('submit', (event) => {
    if (event.target.id !== 'dl-filter') return;
    event.preventDefault();
    relist();
  });
  section.addEventListener('click', async (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    if (button.dataset.dlInspect)
      await show('dl-detail', get('letters/' + encodeURIComponent(button.dataset.dlInspect)));
    else if (button.dataset.dlReplay) {
      await show('dl-detail', post('letters/' + encodeURIComponent(button.dataset.dlReplay) + '/replay'));
      await list();
    } else if (button.dataset.dlResume) {
      await show('dl-stopped', post('destinations/' + encodeURIComponent(button.dataset.dlResume) + '/resume'));
      markAnswer();
    } else if (button.dataset.dlEnable) {
      await show('dl-stopped', post('endpoints/' + encodeURIComponent(button.dataset.dlEnable) + '/enable'));
      markAnswer();
    } else if (button.dataset.dlDestination) {
      // An endpoint's dead letters: the filter set to its name alone, then listed.
      form().reset();
      form().elements.destination.value = button.dataset.dlDestination;
      await relist();
    } else if (button.dataset.dlCursor) await list(button.dataset.dlCursor);
    else if (button.id === 'dl-replay-all')
      await show('dl-bulk', post('replay', { filter: fields(), dryRun: true }));
    else if (button.hasAttribute('data-dl-confirm')) {
      // Exactly the filter the dry run counted, whatever the form says now.
      await show('dl-bulk', post('replay', { filter: JSON.parse(button.dataset.filter), dryRun: false }));
      await list();
    } else if (button.hasAttribute('data-dl-cancel')) into('dl-bulk').innerHTML = '';
  });
})();
`;

/**
 * Dead letters of the webhooks service: list with filters, inspect one (attempts, payload),
 * replay one, and replay all a filter matches after a dry run; above them, the destinations
 * paused (their deliveries held, not dead) and the customers' endpoints disabled (their deliveries
 * dead at once) for failing long, each with what restarts it, read again every few seconds. The console
 * calls the webhooks API with its own key, server side; the browser gets HTML fragments, never
 * the key.
 */
export function deadLettersPanel({ client, pageSize = 50 }: DeadLettersPanelOptions): Panel {
  const routes = Router();
  const answer = async (res: Response, render: () => Promise<string>, status = 200) => {
    res.type('html').set('cache-control', 'no-store');
    try {
      res.status(status).send(await render());
    } catch (error) {
      if (!(error instanceof WebhooksApiError)) throw error;
      res.status(error.status).send(errorFragment(error));
    }
  };
  const listPage = async (filter: DeadLetterFilter, cursor?: string) =>
    listFragment(await need(client).list(filter, { limit: pageSize, cursor }));
  /** A fragment, or what the webhooks API said instead: the rest of the panel shows either way. */
  const orRefusal = async (render: () => Promise<string>) => {
    try {
      return await render();
    } catch (error) {
      if (!(error instanceof WebhooksApiError)) throw error;
      return errorFragment(error);
    }
  };
  /**
   * Destinations paused and endpoints disabled for failing long. An API that is down or refuses
   * the console fails both reads alike: the same refusal is shown once.
   */
  const stoppedBlock = async () => {
    const parts = await Promise.all([
      orRefusal(async () => pausedFragment(await need(client).destinations())),
      orRefusal(async () => disabledFragment(await need(client).endpoints())),
    ]);
    return [...new Set(parts)].join('\n');
  };

  routes.get('/list', async (req: Request, res: Response) => {
    const cursor = typeof req.query['cursor'] === 'string' ? req.query['cursor'] : undefined;
    await answer(res, () => listPage(filterFrom(req.query), cursor));
  });
  routes.get('/letters/:id', async (req: Request<{ id: string }>, res: Response) => {
    await answer(res, async () => detailFragment(await need(client).get(req.params.id)));
  });
  routes.post('/letters/:id/replay', async (req: Request<{ id: string }>, res: Response) => {
    await answer(res, async () => replayedFragment(await need(client).replay(req.params.id)));
  });
  routes.get('/stopped', async (_req: Request, res: Response) => {
    await answer(res, stoppedBlock);
  });
  routes.post(
    '/destinations/:name/resume',
    async (req: Request<{ name: string }>, res: Response) => {
      await answer(res, async () => {
        // Resumed, whatever the list after it says: a list that fails shows as such below.
        const resumed = await need(client).resume(req.params.name);
        return resumedFragment(resumed, await stoppedBlock());
      });
    },
  );
  routes.post('/endpoints/:name/enable', async (req: Request<{ name: string }>, res: Response) => {
    await answer(res, async () => {
      const enabled = await need(client).enable(req.params.name);
      return enabledFragment(enabled, await stoppedBlock());
    });
  });
  routes.post('/replay', json({ limit: '16kb' }), async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as { filter?: unknown; dryRun?: unknown };
    const filter = filterFrom(body.filter);
    // Only an explicit `false` replays: anything else is a dry run.
    const dryRun = body.dryRun !== false;
    await answer(res, async () => {
      const outcome = await need(client).replayMatching(filter, dryRun);
      return dryRun ? dryRunFragment(outcome, filter) : bulkReplayedFragment(outcome);
    });
  });

  return {
    id: 'dead-letters',
    title: 'Webhook dead letters',
    live: false,
    script: SCRIPT,
    routes,
    render: async () => {
      if (client === undefined)
        return '<p class="summary">Not configured: set <code>CONSOLE_WEBHOOKS_URL</code> and the console’s credential, <code>CONSOLE_WEBHOOKS_API_KEY</code> (an API key with webhooks:read, and webhooks:replay to replay) or <code>CONSOLE_WEBHOOKS_TOKEN_URL</code> + <code>CONSOLE_WEBHOOKS_CLIENT_SECRET</code> (client credentials).</p>';
      const [firstPage, stopped] = await Promise.all([
        orRefusal(() => listPage({})),
        stoppedBlock(),
      ]);
      return panelFrame(firstPage, stopped);
    },
  };
}

function need(client: WebhooksClient | undefined): WebhooksClient {
  if (client === undefined)
    throw new WebhooksApiError(503, 'NOT_CONFIGURED', 'the console has no webhooks credential');
  return client;
}
