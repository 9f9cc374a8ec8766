import type { ServiceStatus, StatusSource } from '../sources/scrape-source.ts';
import { clock, escapeHtml, type Panel } from './panel.ts';

const HEALTH_LABEL = { up: 'UP', degraded: 'DEGRADED', down: 'DOWN' } as const;

const dash = '<span class="muted">–</span>';
const format = {
  rate: (value: number | undefined) =>
    value === undefined ? dash : value < 10 ? value.toFixed(2) : value.toFixed(0),
  ratio: (value: number | undefined) =>
    value === undefined ? dash : `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`,
  millis: (seconds: number | undefined) =>
    seconds === undefined ? dash : `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)} ms`,
};

function row(status: ServiceStatus): string {
  const breakers =
    status.breakers.length === 0
      ? dash
      : status.breakers
          .map(
            ({ upstream, state }) =>
              `<span class="breaker ${escapeHtml(state)}">${escapeHtml(upstream)}: ${escapeHtml(state)}</span>`,
          )
          .join(' ');
  const why =
    status.detail === undefined ? '' : ` <span class="detail">${escapeHtml(status.detail)}</span>`;
  return `<tr data-service="${escapeHtml(status.name)}" data-health="${status.health}" class="${status.health}">
  <th scope="row"><span class="dot"></span>${escapeHtml(status.name)}</th>
  <td><strong>${HEALTH_LABEL[status.health]}</strong>${why}<div class="since">since ${clock(status.since)}</div></td>
  <td class="num">${format.rate(status.requestsPerSecond)}</td>
  <td class="num">${format.ratio(status.errorRatio)}</td>
  <td class="num">${format.millis(status.p95Seconds)}</td>
  <td>${breakers}</td>
</tr>`;
}

/** Every service: health (and since when), request rate, error ratio, p95, circuit breakers. */
export function servicesPanel(
  source: StatusSource,
  { windowMinutes }: { windowMinutes: number },
): Panel {
  return {
    id: 'services',
    title: 'Services',
    render: () => {
      const statuses = source.statuses();
      const down = statuses.filter((status) => status.health === 'down').length;
      const summary =
        down === 0
          ? 'every service answers'
          : `<strong>${down} service${down === 1 ? '' : 's'} down</strong>`;
      return `<p class="summary">${summary} · rates over the last ${windowMinutes} min</p>
<table>
<thead><tr><th scope="col">service</th><th scope="col">health</th><th scope="col" class="num">req/s</th><th scope="col" class="num">errors</th><th scope="col" class="num">p95</th><th scope="col">breakers</th></tr></thead>
<tbody>
${statuses.map(row).join('\n')}
</tbody>
</table>`;
    },
  };
}
