import { REPRESENTATION_NAMES, type Representations } from '../representations.ts';

/**
 * `current`: what a request that names no version gets (exactly one version is current).
 * `supported`: served as it is. `deprecated`: served with Deprecation, Sunset and a successor Link.
 */
type VersionStatus = 'current' | 'supported' | 'deprecated';

/** One row of the version table (src/api-versions.ts). */
export interface ApiVersionRow {
  /** `/api/v<version>/…`, `API-Version: <version>`. */
  version: number;
  status: VersionStatus;
  /** Since when it is deprecated (the Deprecation header); deprecated versions only. */
  deprecatedSince?: Date;
  /** When it stops answering (the Sunset header); deprecated versions only. */
  sunset?: Date;
  /** The version its clients should move to (the successor-version Link); deprecated versions only. */
  successor?: number;
  /** The bodies this version answers differently from the one before it; the first row: all of them. */
  representations: Partial<Representations>;
}

/** What a deprecated version announces. */
interface Deprecation {
  since: Date;
  sunset: Date;
  successor: number;
}

/** A version as it is served. */
export interface ServedVersion {
  version: number;
  status: VersionStatus;
  /** Set exactly when the version is deprecated. */
  deprecation: Deprecation | undefined;
  /** Every representation: its own, or inherited from the versions before it. */
  representations: Representations;
}

/**
 * The table, checked and filled in: a mistake in it is a bug, found at start-up (every problem at
 * once) rather than by a client.
 */
export function serveVersions(rows: readonly ApiVersionRow[]): {
  served: readonly ServedVersion[];
  current: ServedVersion;
} {
  const problems: string[] = [];
  const numbers = rows.map((row) => row.version);
  if (numbers.some((n, i) => !Number.isSafeInteger(n) || n < 1 || n <= (numbers[i - 1] ?? 0)))
    problems.push('versions must be positive integers in ascending order');
  const missing = REPRESENTATION_NAMES.filter((name) => !rows[0]?.representations[name]);
  if (missing.length > 0)
    problems.push(
      `the first version must define every representation (missing: ${missing.join(', ')})`,
    );
  let inherited = {} as Representations;
  const served = rows.map((row): ServedVersion => {
    inherited = { ...inherited, ...row.representations };
    const { version, status, deprecatedSince: since, sunset, successor } = row;
    const named = [since, sunset, successor].filter((value) => value !== undefined).length;
    if (status === 'deprecated' && named < 3)
      problems.push(`v${version} is deprecated: it needs deprecatedSince, sunset and successor`);
    if (status !== 'deprecated' && named > 0)
      problems.push(
        `v${version} is ${status}: deprecatedSince, sunset and successor are for deprecated versions`,
      );
    if (successor !== undefined && !(successor > version && numbers.includes(successor)))
      problems.push(`v${version}'s successor v${successor} is not a later version in the table`);
    const deprecation =
      status === 'deprecated' && since && sunset && successor !== undefined
        ? { since, sunset, successor }
        : undefined;
    return { version, status, deprecation, representations: inherited };
  });
  const current = served.filter((version) => version.status === 'current');
  if (current.length !== 1)
    problems.push(`exactly one version must be current, not ${current.length}`);
  if (problems.length > 0 || current[0] === undefined)
    throw new Error(`Invalid API version table: ${problems.join('; ')}`);
  return { served, current: current[0] };
}
