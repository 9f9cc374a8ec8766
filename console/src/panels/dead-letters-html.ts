import type {
  DeadLetter,
  DeadLetterDetail,
  DeadLetterFilter,
  DeadLetterList,
  DestinationState,
  EndpointState,
  ReplayOutcome,
} from '@manifold/platform/contracts';
import type { WebhooksApiError } from '../sources/webhooks-client.ts';
import { clock, escapeHtml } from './panel.ts';

// The dead-letter panel's HTML fragments, rendered on the server from the webhooks API's answers
// (every value escaped); the page's script swaps them in (dead-letters-panel.ts).

/** Shown of a payload at most: an inspection is for reading, not for downloading megabytes. */
const PAYLOAD_CHARS = 20_000;

const dash = '<span class="muted">–</span>';
const day = (iso: string | undefined) =>
  iso === undefined ? dash : `${escapeHtml(iso.slice(0, 10))} ${clock(iso)}`;

const FILTER_FIELDS = [
  ['source', 'source', 'text', 'stripe'],
  ['eventType', 'event type', 'text', 'invoice.paid'],
  ['destination', 'destination', 'text', 'crm'],
  ['from', 'received from (UTC)', 'datetime-local', ''],
  ['to', 'received before (UTC)', 'datetime-local', ''],
  ['error', 'error contains', 'text', 'HTTP 400'],
] as const;

/**
 * The panel's frame: the destinations and endpoints stopped for failing, the filter, the list (its
 * first page), and where inspections and replays show.
 */
export function panelFrame(firstPage: string, stopped: string): string {
  return `<div id="dl-stopped">${stopped}</div>
<form id="dl-filter" class="dl-filter">
${FILTER_FIELDS.map(
  ([name, label, type, placeholder]) =>
    `<label>${label}<input name="${name}" type="${type}"${type === 'datetime-local' ? ' step="1"' : ''} placeholder="${placeholder}" autocomplete="off"></label>`,
).join('\n')}
<button type="submit">Filter</button>
<button type="button" id="dl-replay-all">Replay all matching…</button>
</form>
<div id="dl-bulk"></div>
<div id="dl-list">${firstPage}</div>
<div id="dl-detail"></div>`;
}

const summaryRow = (
  letter: DeadLetter,
  actions: boolean,
) => `<tr data-dead-letter="${escapeHtml(letter.id)}">
  <td>${day(letter.failedAt)}</td><td>${escapeHtml(letter.source)}</td>
  <td>${escapeHtml(letter.eventType)}<br><code class="muted">${escapeHtml(letter.eventId)}</code></td>
  <td>${escapeHtml(letter.destination)}</td><td class="num">${letter.attempts}</td>
  <td>${escapeHtml(letter.error)}</td>${
    actions
      ? `<td><button type="button" data-dl-inspect="${escapeHtml(letter.id)}">Inspect</button> <button type="button" data-dl-replay="${escapeHtml(letter.id)}">Replay</button></td>`
      : ''
  }
</tr>`;

const summaryTable = (letters: readonly DeadLetter[], actions: boolean) => `<table>
<thead><tr><th scope="col">failed</th><th scope="col">source</th><th scope="col">event</th><th scope="col">destination</th><th scope="col" class="num">attempts</th><th scope="col">last error</th>${actions ? '<th scope="col"></th>' : ''}</tr></thead>
<tbody>
${letters.map((letter) => summaryRow(letter, actions)).join('\n')}
</tbody>
</table>`;

/** One page of the list, newest failure first, with the way to the next page. */
export function listFragment(page: DeadLetterList): string {
  if (page.total === 0) return '<p class="summary" data-total="0">No dead letters match.</p>';
  return `<p class="summary" data-total="${page.total}">${page.total} dead letter${page.total === 1 ? '' : 's'} match, newest failure first.</p>
${summaryTable(page.items, true)}
${page.nextCursor === undefined ? '' : `<button type="button" data-dl-cursor="${escapeHtml(page.nextCursor)}">Next ${page.items.length} →</button>`}`;
}

/** One dead letter: what it was, every attempt, and its payload as the sender sent it. */
export function detailFragment(letter: DeadLetterDetail): string {
  const payload =
    letter.payload.length > PAYLOAD_CHARS
      ? `${letter.payload.slice(0, PAYLOAD_CHARS)}\n… (${letter.payload.length - PAYLOAD_CHARS} more characters: npm run webhooks -- dead-letters show <id>)`
      : letter.payload;
  return `<article class="dl-detail" data-detail="${escapeHtml(letter.id)}">
<h3>${escapeHtml(letter.eventType)} → ${escapeHtml(letter.destination)}</h3>
<p><code>${escapeHtml(letter.id)}</code> · from ${escapeHtml(letter.source)} · event <code>${escapeHtml(letter.eventId)}</code> · received ${day(letter.receivedAt)} · Idempotency-Key <code>${escapeHtml(letter.idempotencyKey)}</code></p>
<table>
<thead><tr><th scope="col" class="num">#</th><th scope="col">time</th><th scope="col" class="num">status</th><th scope="col" class="num">latency</th><th scope="col">error</th><th scope="col">response (excerpt)</th></tr></thead>
<tbody>
${letter.history
  .map(
    (
      attempt,
    ) => `<tr data-attempt="${attempt.attempt}"><td class="num">${attempt.attempt}</td><td>${day(attempt.at)}</td>
  <td class="num">${attempt.status ?? dash}</td><td class="num">${Math.round(attempt.latencyMs)} ms</td>
  <td>${attempt.error === undefined ? dash : escapeHtml(attempt.error)}</td><td><code>${escapeHtml(attempt.response ?? '')}</code></td></tr>`,
  )
  .join('\n')}
</tbody>
</table>
<p class="muted">payload (${escapeHtml(letter.contentType)})</p>
<pre class="payload">${escapeHtml(payload)}</pre>
<button type="button" data-dl-replay="${escapeHtml(letter.id)}">Replay this one</button>
</article>`;
}

/** One replayed: back in the queue under the same Idempotency-Key. */
export const replayedFragment = (letter: DeadLetter) =>
  `<p class="ok" data-replayed-id="${escapeHtml(letter.id)}">Replayed ${escapeHtml(letter.eventType)} → ${escapeHtml(letter.destination)} (<code>${escapeHtml(letter.id)}</code>), same Idempotency-Key.</p>`;

/** Why some matches are not sent (ReplayOutcome.held), or nothing when none are held. */
function heldNote({ held = 0 }: ReplayOutcome): string {
  if (held === 0) return '';
  return `<p class="muted" data-held="${held}">${held} held back: recorded upstream requests (not safe to repeat) whose source the filter does not name, or replayed once already — replay those one by one — and letters whose stored data is not JSON (nothing to send: inspect them).</p>`;
}

/** A warning when what a replay sends includes recorded upstream requests (among the first shown). */
function recordedWarning({ first }: ReplayOutcome): string {
  if (!first.some((letter) => letter.recorded)) return '';
  return '<p class="summary" data-recorded-to-send>Among them are recorded upstream requests (supplier orders, legacy writes: not safe to repeat). Each is sent once: check its upstream first (runbook: docs/runbooks/webhooks.md).</p>';
}

/** A dry run: how many, the first to be sent, and the confirmation that sends exactly this filter. */
export function dryRunFragment(outcome: ReplayOutcome, filter: DeadLetterFilter): string {
  const { matched } = outcome;
  const toSend = matched - (outcome.held ?? 0);
  if (toSend === 0)
    return `<p class="summary" data-matched="${matched}">Dry run: ${matched === 0 ? 'no dead letters match' : `${matched} match`}; nothing to replay.</p>${heldNote(outcome)}`;
  return `<div class="dl-dry-run">
<p data-matched="${matched}"><strong>Dry run:</strong> ${matched} dead letter${matched === 1 ? '' : 's'} match. A replay sends ${toSend} oldest event first; the first ${outcome.first.length}:</p>
${heldNote(outcome)}
${recordedWarning(outcome)}
${summaryTable(outcome.first, false)}
<button type="button" data-dl-confirm data-filter="${escapeHtml(JSON.stringify(filter))}">Replay all ${toSend}</button>
<button type="button" data-dl-cancel>Cancel</button>
</div>`;
}

export const bulkReplayedFragment = (outcome: ReplayOutcome) =>
  `<p class="ok" data-bulk-replayed="${outcome.replayed}">Replayed ${outcome.replayed} of ${outcome.matched} matching dead letters.</p>${heldNote(outcome)}`;

/** A destination or an endpoint stopped by its own rule: since when, why, and what restarts it. */
interface Stopped {
  name: string;
  since: string | undefined;
  reason: string | undefined;
}

const stoppedBox = (
  intro: string,
  items: readonly Stopped[],
  { marker, action, verb }: { marker: string; action: string; verb: string },
) => `<div class="dl-held" role="status">
<p>${intro}</p>
<ul>
${items
  .map(
    ({ name, since, reason }) =>
      `<li data-${marker}="${escapeHtml(name)}"><strong>${escapeHtml(name)}</strong> since ${day(since)}${reason === undefined ? '' : ` — ${escapeHtml(reason)}`} <button type="button" data-dl-${action}="${escapeHtml(name)}">${verb} ${escapeHtml(name)}</button></li>`,
  )
  .join('\n')}
</ul>
</div>`;

/**
 * Destinations paused after failing for long: their deliveries are held (not dead letters, and
 * not in the list below) until an operator resumes them, here or from the CLI.
 */
export function pausedFragment(destinations: readonly DestinationState[]): string {
  const paused = destinations.filter((destination) => destination.state === 'paused');
  if (paused.length === 0) return '';
  return stoppedBox(
    `<strong>Paused:</strong> ${paused.length === 1 ? 'this destination failed for long; its deliveries are held — not dead letters — until it is resumed (check it first)' : 'these destinations failed for long; their deliveries are held — not dead letters — until each is resumed (check them first)'}.`,
    paused.map(({ name, pausedAt, reason }) => ({ name, since: pausedAt, reason })),
    { marker: 'paused-destination', action: 'resume', verb: 'Resume' },
  );
}

/**
 * Customers' endpoints (outbound webhooks) disabled after failing for long: each new delivery to
 * one is a dead letter at once (in the list below, by its name as destination) until it is
 * enabled, here or from the CLI.
 */
export function disabledFragment(endpoints: readonly EndpointState[]): string {
  const disabled = endpoints.filter((endpoint) => endpoint.disabled);
  if (disabled.length === 0) return '';
  return stoppedBox(
    `<strong>Disabled:</strong> ${disabled.length === 1 ? "this customer's endpoint" : "these customers' endpoints"} kept failing; every new delivery is a dead letter at once. Once the customer has fixed theirs, enable it, then replay its dead letters (destination = its name).`,
    disabled.map(({ name, disabledAt, reason }) => ({ name, since: disabledAt, reason })),
    { marker: 'disabled-endpoint', action: 'enable', verb: 'Enable' },
  );
}

/** One resumed (its held deliveries go out again within seconds), above what is still stopped. */
export const resumedFragment = (resumed: DestinationState, stillStopped: string) =>
  `<p class="ok" data-resumed="${escapeHtml(resumed.name)}">Resumed ${escapeHtml(resumed.name)}: its held deliveries go out again within seconds.</p>
${stillStopped}`;

/** One enabled (new deliveries go to it again), the way to its dead letters, and what is still stopped. */
export const enabledFragment = (enabled: EndpointState, stillStopped: string) =>
  `<p class="ok" data-enabled="${escapeHtml(enabled.name)}">Enabled ${escapeHtml(enabled.name)}: new deliveries go to it again; what it missed is in its dead letters. <button type="button" data-dl-destination="${escapeHtml(enabled.name)}">Show its dead letters</button></p>
${stillStopped}`;

/** What the webhooks API said instead, readable (a refused filter names its fields). */
export const errorFragment = (error: WebhooksApiError) =>
  `<p class="panel-error" data-error-code="${escapeHtml(error.code)}">${escapeHtml(error.code)}: ${escapeHtml(error.message)}${
    error.errors.length === 0
      ? ''
      : ` (${error.errors.map((field) => `${escapeHtml(field.pointer)}: ${escapeHtml(field.detail)}`).join('; ')})`
  }</p>`;
