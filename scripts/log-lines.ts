/**
 * Shortens a pino JSON line to `LEVEL msg key=value …`; other text passes through. A message with
 * newlines in it (a stack, a config report) comes back as several lines, each to be prefixed.
 */
export function formatLogLine(line: string): string[] {
  return formatRecord(line).split('\n');
}

function formatRecord(line: string): string {
  if (!line.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const {
    level,
    msg,
    time: _time,
    pid: _pid,
    hostname: _hostname,
    service: _service,
    ...rest
  } = record;
  const label =
    typeof level === 'number'
      ? (LEVELS[level] ?? String(level))
      : typeof level === 'string'
        ? level
        : '';
  const extras = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return [label.padEnd(5), typeof msg === 'string' ? msg : '', extras]
    .filter((part) => part !== '')
    .join(' ');
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

const COLOURS = [36, 35, 33, 32, 34, 31];

/**
 * Splits a child's output into lines and prefixes each with the service name
 * (padded to `width`, coloured when `colour` is set). Keeps a partial last line until it ends.
 */
export function createLinePrefixer(
  name: string,
  { width, colour, index }: { width: number; colour: boolean; index: number },
) {
  const label = name.padEnd(width);
  const prefix = colour
    ? `\u001b[${COLOURS[index % COLOURS.length] ?? 36}m${label}\u001b[0m │ `
    : `${label} │ `;
  let pending = '';
  return {
    push(chunk: string): string[] {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      return parts
        .filter((line) => line !== '')
        .flatMap((line) => formatLogLine(line).map((text) => prefix + text));
    },
    flush(): string[] {
      const rest = pending;
      pending = '';
      return rest === '' ? [] : formatLogLine(rest).map((text) => prefix + text);
    },
  };
}
