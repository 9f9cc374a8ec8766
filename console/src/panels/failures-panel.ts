import type { StatusSource } from '../sources/scrape-source.ts';
import { clock, escapeHtml, type Panel } from './panel.ts';

export interface FailuresPanelOptions {
  /** Most failures shown. @default 20 */
  limit?: number;
  /** Links a trace id to where traces are read (`http://localhost:16686/trace/{traceId}`); unset: ids as text. */
  traceUrl?: string | undefined;
}

/** The latest failed requests of every service, newest first, each with its trace and request id. */
export function failuresPanel(
  source: StatusSource,
  { limit = 20, traceUrl }: FailuresPanelOptions = {},
): Panel {
  const traceCell = (traceId: string | undefined) => {
    if (traceId === undefined) return '<span class="muted">–</span>';
    const id = escapeHtml(traceId);
    return traceUrl === undefined
      ? `<code>${id}</code>`
      : `<a href="${escapeHtml(traceUrl.replace('{traceId}', encodeURIComponent(traceId)))}"><code>${id}</code></a>`;
  };
  return {
    id: 'failures',
    title: 'Latest failed requests',
    render: () => {
      const failures = source
        .statuses()
        .flatMap((status) =>
          status.failures.map((failure) => ({ service: status.name, ...failure })),
        )
        .sort((a, b) => b.at.localeCompare(a.at))
        .slice(0, limit);
      if (failures.length === 0) return '<p class="summary">No failed requests.</p>';
      return `<table>
<thead><tr><th scope="col">time</th><th scope="col">service</th><th scope="col">request</th><th scope="col">status</th><th scope="col">code</th><th scope="col">trace id</th><th scope="col">request id</th></tr></thead>
<tbody>
${failures
  .map(
    (failure) => `<tr data-trace-id="${escapeHtml(failure.traceId ?? '')}">
  <td>${clock(failure.at)}</td><td>${escapeHtml(failure.service)}</td><td>${escapeHtml(failure.name)}</td>
  <td class="num">${failure.status}</td><td>${escapeHtml(failure.code)}</td><td>${traceCell(failure.traceId)}</td>
  <td><code>${escapeHtml(failure.requestId ?? '')}</code></td>
</tr>`,
  )
  .join('\n')}
</tbody>
</table>`;
    },
  };
}
