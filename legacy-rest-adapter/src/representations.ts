import type { z } from 'zod';
import type { Page } from './clients/legacy-pages.ts';

/** A record as the monolith answers it: every value a string, names its own. */
export type Legacy = Record<string, unknown>;

/** How one version answers with legacy data: the documented body and how to build it. */
export interface Representation<Source> {
  /** The body, as documented in /openapi.json and checked before it leaves. */
  schema: z.ZodType;
  /** Legacy data → the body. A body that does not match `schema` is our bug (500), never sent. */
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

/** One resource: `map` turns the legacy record into what `schema` documents. */
export const representation = <Schema extends z.ZodType>(
  schema: Schema,
  map: (legacy: Legacy) => z.input<Schema>,
): Representation<Legacy> => ({ schema, render: (legacy) => schema.parse(map(legacy)) });

/** A page of a list: `map` turns one legacy row into an item of `schema`'s `data`. */
export const pageRepresentation = <Schema extends z.ZodType<unknown, { data: unknown[] }>>(
  schema: Schema,
  map: (row: Legacy) => z.input<Schema>['data'][number],
): Representation<Page<Legacy>> => ({
  schema,
  render: ({ data, page }) => schema.parse({ data: data.map(map), page }),
});
