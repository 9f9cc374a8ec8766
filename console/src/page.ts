import { escapeHtml, type Panel } from './panels/panel.ts';

const STYLE = `
:root { color-scheme: dark; --up: #3fb950; --degraded: #d29922; --down: #f85149; --muted: #8b949e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, sans-serif; background: #0d1117; color: #e6edf3; }
header { display: flex; align-items: baseline; gap: 1rem; padding: .75rem 1.25rem; background: #161b22; border-bottom: 1px solid #30363d; }
header h1 { font-size: 1.25rem; margin: 0; }
#updated { color: var(--muted); }
#offline { display: none; margin-left: auto; padding: .15rem .6rem; border-radius: 4px; background: var(--down); color: #fff; font-weight: 600; }
body.offline #offline { display: inline; }
main { padding: 1rem 1.25rem; display: grid; gap: 1.25rem; }
section h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #21262d; vertical-align: top; }
thead th { color: var(--muted); font-weight: 500; font-size: .85rem; text-transform: uppercase; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.dot { display: inline-block; width: .8rem; height: .8rem; border-radius: 50%; margin-right: .5rem; background: var(--muted); }
tr.up .dot { background: var(--up); } tr.degraded .dot { background: var(--degraded); } tr.down .dot { background: var(--down); }
tr.down { background: rgba(248, 81, 73, .12); } tr.degraded { background: rgba(210, 153, 34, .10); }
tr.down strong { color: var(--down); } tr.degraded strong { color: var(--degraded); } tr.up strong { color: var(--up); }
.detail, .since, .muted, .summary { color: var(--muted); } .since { font-size: .8rem; }
.breaker { display: inline-block; padding: 0 .4rem; border-radius: 4px; border: 1px solid #30363d; font-size: .85rem; }
.breaker.open { border-color: var(--down); color: var(--down); } .breaker.half-open { border-color: var(--degraded); color: var(--degraded); }
.panel-error { color: var(--down); font-weight: 600; }
code { font-size: .85rem; } a { color: #58a6ff; }
.dl-filter { display: flex; flex-wrap: wrap; gap: .5rem .75rem; align-items: end; margin-bottom: .75rem; }
.dl-filter label { display: grid; font-size: .8rem; color: var(--muted); gap: .15rem; }
input, button { font: inherit; font-size: .9rem; color: inherit; background: #0d1117; border: 1px solid #30363d; border-radius: 4px; padding: .25rem .5rem; }
button { background: #21262d; cursor: pointer; } button:hover { border-color: #58a6ff; }
.dl-detail, .dl-dry-run { margin-top: .75rem; padding: .75rem; border: 1px solid #30363d; border-radius: 6px; }
.dl-detail h3 { margin: 0 0 .25rem; font-size: 1rem; }
.dl-held { margin-bottom: .75rem; padding: .5rem .75rem; border: 1px solid var(--degraded); border-radius: 6px; }
.dl-held ul { margin: .25rem 0 0; padding-left: 1.25rem; }
pre.payload { max-height: 16rem; overflow: auto; padding: .5rem; background: #161b22; border-radius: 4px; white-space: pre-wrap; word-break: break-all; }
.ok { color: var(--up); } [aria-busy="true"] { opacity: .6; }
`;

// Each panel is refreshed on its own; a panel that fails says so, the others stay current.
const SCRIPT = `
const refreshMs = Number(document.body.dataset.refreshMs);
async function refresh(section) {
  try {
    const response = await fetch('panels/' + section.dataset.panel, { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    section.querySelector('.panel-body').innerHTML = await response.text();
    return true;
  } catch (error) {
    section.querySelector('.panel-body').innerHTML =
      '<p class="panel-error">This panel could not be loaded (' + error.message + '); the figures below may be stale.</p>' +
      section.querySelector('.panel-body').innerHTML.replace(/<p class="panel-error">.*?<\\/p>/, '');
    return false;
  }
}
// An interactive panel (data-live="false") is loaded once; it updates itself from then on.
let first = true;
async function tick() {
  const sections = [...document.querySelectorAll('section[data-panel]')]
    .filter((section) => first || section.dataset.live !== 'false');
  first = false;
  const results = await Promise.all(sections.map(refresh));
  document.body.classList.toggle('offline', results.every((ok) => !ok));
  document.getElementById('updated').textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
  setTimeout(tick, refreshMs);
}
tick();
`;

/** The console page: a shell whose panels fill themselves in, and refresh, from `/panels/<id>`. */
export function renderPage(panels: readonly Panel[], { refreshMs }: { refreshMs: number }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Manifold — ops console</title>
<style>${STYLE}</style>
</head>
<body data-refresh-ms="${refreshMs}">
<header><h1>Manifold ops console</h1><span id="updated">loading…</span><span id="offline">console unreachable</span></header>
<main>
${panels
  .map(
    (panel) =>
      `<section data-panel="${escapeHtml(panel.id)}"${panel.live === false ? ' data-live="false"' : ''}><h2>${escapeHtml(panel.title)}</h2><div class="panel-body"><p class="summary">loading…</p></div></section>`,
  )
  .join('\n')}
</main>
<script>${SCRIPT}</script>
${panels
  .filter((panel) => panel.script !== undefined)
  .map((panel) => `<script>${panel.script ?? ''}</script>`)
  .join('\n')}
</body>
</html>`;
}
