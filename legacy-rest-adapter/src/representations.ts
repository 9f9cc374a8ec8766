import { isAppError, UpstreamError } from '@manifold/platform/errors';
import type { z } from 'zod';
import type { Page } from './clients/legacy-pages.ts';

/** A record as the monolith answers it: every value a string, names its own. */
export type Legacy = Record<string, unknown>;

/** How one version answers with legacy data: the documented body and how to build it. */
export interface Representation<Source> {
  /** The body, as documented in /openapi.json and checked before it leaves. */
  schema: z.ZodType;
  /**
   * Legacy data → the body, checked against `schema` (never sent otherwise). Data it cannot be
   * built from — a field missing, null or of another type — is the monolith breaking its own
   * contract: 502 UPSTREAM_ERROR, not a 500 of ours (and the resource cache keeps none of it).
   */
  render: (source: Source) => unknown;
}

/**
 * Every body the API answers with. A version's row in the table (src/api-versions.ts) names the
 * ones it changes; it answers the rest as the version before it.
 */
export interface Representations {
  customer: Representation<Legacy>;
  invoice: Representation<Legacy>;
  invoicePage: Representation<Page<Legacy>>;
  loyalty: Representation<Legacy>;
  loyaltyHistory: Representation<Page<Legacy>>;
  ticket: Representation<Legacy>;
  ticketPage: Representation<Page<Legacy>>;
}

/** Every representation's name, for checking that the first version defines them all. */
export const REPRESENTATION_NAMES = Object.keys({
  customer: true,
  invoice: true,
  invoicePage: true,
  loyalty: true,
  loyaltyHistory: true,
  ticket: true,
  ticketPage: true,
} satisfies Record<keyof Representations, true>) as (keyof Representations)[];

/**
 * Runs a render; what goes wrong in it is the legacy record's fault. legacy-values.ts already
 * names the field it could not read (an UpstreamError, kept); anything else — a record that is
 * not there, a value of another type the schema refuses — becomes one.
 */
function fromLegacy<T>(render: () => T): T {
  try {
    return render();
  } catch (error) {
    if (isAppError(error)) throw error;
    throw new UpstreamError(
      'UPSTREAM_ERROR',
      'legacy',
      'legacy sent a record our answer cannot be built from',
      { transient: false, cause: error },
    );
  }
}

const asRecord = (legacy: unknown): Legacy => {
  if (typeof legacy !== 'object' || legacy === null || Array.isArray(legacy))
    throw new TypeError(
      `a legacy record is ${legacy === undefined ? 'missing' : JSON.stringify(legacy)}`,
    );
  return legacy as Legacy;
};

/** One resource: `map` turns the legacy record into what `schema` documents. */
export const representation = <Schema extends z.ZodType>(
  schema: Schema,
  map: (legacy: Legacy) => z.input<Schema>,
): Representation<Legacy> => ({
  schema,
  render: (legacy) => fromLegacy(() => schema.parse(map(asRecord(legacy)))),
});

/** A page of a list: `map` turns one legacy row into an item of `schema`'s `data`. */
export const pageRepresentation = <Schema extends z.ZodType<unknown, { data: unknown[] }>>(
  schema: Schema,
  map: (row: Legacy) => z.input<Schema>['data'][number],
): Representation<Page<Legacy>> => ({
  schema,
  render: ({ data, page }) =>
    fromLegacy(() => schema.parse({ data: data.map((row) => map(asRecord(row))), page })),
});
