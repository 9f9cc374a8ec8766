import { createRng } from './rng.ts';
import { CITIES, FAMILY_NAMES, GIVEN_NAMES, STREETS } from './words.ts';

export const CUSTOMER_TIERS = ['STANDARD', 'SILVER', 'GOLD', 'PLATINUM'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

export interface SeedUser {
  id: string;
  email: string;
  name: string;
  tier: CustomerTier;
  /** ISO 8601 UTC. */
  createdAt: string;
  address: { line1: string; city: string; postalCode: string; country: string };
}

const START = Date.UTC(2019, 0, 1);
const SPAN_MS = Date.UTC(2026, 0, 1) - START;

export function* generateUsers(count: number, seed: number): Generator<SeedUser> {
  const rng = createRng(seed, 'users');
  for (let i = 1; i <= count; i++) {
    const given = rng.pick(GIVEN_NAMES);
    const family = rng.pick(FAMILY_NAMES);
    const place = rng.pick(CITIES);
    const tierRoll = rng.next();
    const tier: CustomerTier =
      tierRoll < 0.6
        ? 'STANDARD'
        : tierRoll < 0.85
          ? 'SILVER'
          : tierRoll < 0.97
            ? 'GOLD'
            : 'PLATINUM';
    const local = `${given}.${family}`
      .normalize('NFD')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    yield {
      id: String(i),
      email: `${local}.${i}@example.com`,
      name: `${given} ${family}`,
      tier,
      createdAt: new Date(START + Math.floor(rng.next() * SPAN_MS)).toISOString(),
      address: {
        line1: `${rng.int(1, 400)} ${rng.pick(STREETS)}`,
        city: place.city,
        postalCode: String(rng.int(10_000, 99_999)),
        country: place.country,
      },
    };
  }
}
