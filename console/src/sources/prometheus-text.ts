/** One sample of a scrape: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

// name, then optional {labels}, then the value (and an optional timestamp we do not need).
const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

const unescape = (value: string) =>
  value.replace(/\\(.)/g, (_match, char: string) => (char === 'n' ? '\n' : char));

/**
 * The samples of a Prometheus text exposition (version 0.0.4, what the services' OTel exporter
 * writes). Comments, metadata and lines that are not samples are skipped, so a service that
 * answers something else yields no samples rather than an error.
 */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line.trim());
    if (!match) continue;
    const [, name = '', labelText = '', valueText = ''] = match;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    for (let label = LABEL.exec(labelText); label; label = LABEL.exec(labelText))
      labels[label[1] ?? ''] = unescape(label[2] ?? '');
    const value =
      valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (!Number.isNaN(value) || valueText === 'NaN') samples.push({ name, labels, value });
  }
  return samples;
}
