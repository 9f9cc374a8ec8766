import { UpstreamError } from '@manifold/platform/errors';

// The monolith's value formats, turned into what our API promises. A value that does not parse is
// the legacy system breaking its own contract: an UPSTREAM_ERROR naming the field, never a guess.

const LEGACY_ZONE = 'Europe/Berlin';
const wallClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: LEGACY_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function broken(field: string, value: unknown): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_ERROR',
    'legacy',
    `legacy sent an unreadable ${field}: ${JSON.stringify(value)}`,
    { transient: false },
  );
}

/** "12" → 12. */
export function legacyInteger(value: unknown, field: string): number {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw broken(field, value);
  return Number(value);
}

/** One of `values`, as the monolith spells it ("open") → the same string, typed. */
export function legacyEnum<const Value extends string>(
  values: readonly Value[],
  value: unknown,
  field: string,
): Value {
  const known = values.find((candidate) => candidate === value);
  if (known === undefined) throw broken(field, value);
  return known;
}

/** "Y" / "N" → true / false. */
export function legacyFlag(value: unknown, field: string): boolean {
  if (value === 'Y') return true;
  if (value === 'N') return false;
  throw broken(field, value);
}

/** "123.40" → "123.40" (kept a decimal string: money never goes through a float). */
export function legacyDecimal(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^-?\d+\.\d{2}$/.test(value)) throw broken(field, value);
  return value;
}

/** "27/01/2003" → "2003-01-27"; "0000-00-00" (the legacy "none") → null. */
export function legacyDate(value: unknown, field: string): string | null {
  if (value === '0000-00-00') return null;
  const match = typeof value === 'string' ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value) : null;
  if (!match) throw broken(field, value);
  return `${match[3]}-${match[2]}-${match[1]}`;
}

/**
 * "26/10/2014 02:30" in Berlin local time → ISO 8601 UTC; "0000-00-00" → null. A wall-clock time
 * the DST change made happen twice resolves to the earlier instant (summer time); one it skipped
 * is read with the winter offset. The legacy data cannot say more.
 */
export function legacyDateTime(value: unknown, field: string): string | null {
  if (value === '0000-00-00') return null;
  const match =
    typeof value === 'string' ? /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/.exec(value) : null;
  if (!match) throw broken(field, value);
  const [, day, month, year, hour, minute] = match;
  const asUtc = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
  );
  const expected = `${day}/${month}/${year}, ${hour}:${minute}`;
  // Berlin is UTC+1 or UTC+2: try the summer offset first (the earlier instant of a repeated hour).
  for (const offsetHours of [2, 1]) {
    const instant = asUtc - offsetHours * 3_600_000;
    if (wallClock.format(instant) === expected) return new Date(instant).toISOString();
  }
  return new Date(asUtc - 3_600_000).toISOString(); // inside the spring-forward gap: read with the winter offset
}
