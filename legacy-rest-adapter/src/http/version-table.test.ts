import { describe, expect, it } from 'vitest';
import { API_VERSIONS } from '../api-versions.ts';
import { serveVersions, type ApiVersionRow } from './version-table.ts';

const [v1, v2] = API_VERSIONS as [ApiVersionRow, ApiVersionRow];
const deprecation = {
  deprecatedSince: new Date('2027-01-01T00:00:00Z'),
  sunset: new Date('2028-01-01T00:00:00Z'),
};
const problemsOf = (rows: readonly ApiVersionRow[]) => {
  try {
    serveVersions(rows);
    return [];
  } catch (error) {
    return (error as Error).message.replace('Invalid API version table: ', '').split('; ');
  }
};

describe('the version table', () => {
  it("serves the adapter's own table: v1 deprecated in favour of v2, v2 current", () => {
    const { served, current } = serveVersions(API_VERSIONS);
    expect(current.version).toBe(2);
    expect(served.map(({ version, status }) => [version, status])).toEqual([
      [1, 'deprecated'],
      [2, 'current'],
    ]);
    expect(served[0]?.deprecation).toEqual({
      since: new Date('2026-11-01T00:00:00Z'),
      sunset: new Date('2027-06-30T00:00:00Z'),
      successor: 2,
    });
  });

  it('lets a version inherit every representation it does not change', () => {
    const [first, second] = serveVersions(API_VERSIONS).served;
    expect(second?.representations.ticket).toBe(first?.representations.ticket);
    expect(second?.representations.customer).not.toBe(first?.representations.customer);
  });

  it('refuses a table with mistakes, naming every one', () => {
    expect(
      problemsOf([
        { ...v1, representations: { customer: v1.representations.customer! } },
        { ...v2, status: 'deprecated', ...deprecation, successor: 1 },
        { version: 2, status: 'supported', successor: 3, representations: {} },
      ]),
    ).toEqual([
      'versions must be positive integers in ascending order',
      'the first version must define every representation (missing: invoice, invoicePage, loyalty, loyaltyHistory, ticket, ticketPage)',
      "v2's successor v1 is not a later version in the table",
      'v2 is supported: deprecatedSince, sunset and successor are for deprecated versions',
      "v2's successor v3 is not a later version in the table",
      'exactly one version must be current, not 0',
    ]);
    const { successor: _successor, ...withoutSuccessor } = v1;
    expect(problemsOf([withoutSuccessor, v2])).toEqual([
      'v1 is deprecated: it needs deprecatedSince, sunset and successor',
    ]);
    expect(problemsOf([])).toEqual([
      'the first version must define every representation (missing: customer, invoice, invoicePage, loyalty, loyaltyHistory, ticket, ticketPage)',
      'exactly one version must be current, not 0',
    ]);
  });
});
