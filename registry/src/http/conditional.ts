/** The longest a long-poll is held (`Prefer: wait=` larger is clamped). */
export const MAX_WAIT_SECONDS = 30;

/** The entity tags of an If-None-Match header, unquoted (`W/` dropped: version ids are strong anyway). */
export function entityTags(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .filter((tag) => tag !== '');
}

/** The `wait` preference of a Prefer header (RFC 7240), in seconds, clamped. */
export function preferredWait(header: string | undefined): number | undefined {
  const match = header === undefined ? null : /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(header);
  return match?.[1] === undefined ? undefined : Math.min(Number(match[1]), MAX_WAIT_SECONDS);
}

/** Whether `tags` name `version` (or `*`, any). */
export const namesVersion = (tags: readonly string[], version: string | undefined) =>
  version !== undefined && (tags.includes('*') || tags.includes(version));
