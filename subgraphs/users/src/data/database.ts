import { openSeededDatabase } from '@manifold/platform/data';
import type { SqliteDatabase } from '@manifold/platform/data';
import { DEFAULT_SEED, generateUsers, SEED_SIZES } from '@manifold/seed';

export interface UsersDatabaseOptions {
  /** File path or ':memory:'. */
  path: string;
  /** @default SEED_SIZES.users (10,000) */
  userCount?: number;
  /** @default DEFAULT_SEED */
  seed?: number;
  /** Rebuild even when a current file exists. @default false */
  rebuild?: boolean;
}

const SCHEMA_SQL = `
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  tier TEXT NOT NULL,
  created_at TEXT NOT NULL,
  line1 TEXT NOT NULL,
  city TEXT NOT NULL,
  postal_code TEXT NOT NULL,
  country TEXT NOT NULL
);`;

/** Opens the users database, seeding it deterministically on first start. */
export function openUsersDatabase({
  path,
  userCount = SEED_SIZES.users,
  seed = DEFAULT_SEED,
  rebuild = false,
}: UsersDatabaseOptions): SqliteDatabase {
  return openSeededDatabase({
    path,
    rebuild,
    version: `users-v1-${seed}-${userCount}`,
    schemaSql: SCHEMA_SQL,
    seed: (db) => {
      const insert =
        'INSERT INTO users (id, email, name, tier, created_at, line1, city, postal_code, country) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
      for (const user of generateUsers(userCount, seed)) {
        const { line1, city, postalCode, country } = user.address;
        db.run(
          insert,
          Number(user.id),
          user.email,
          user.name,
          user.tier,
          user.createdAt,
          line1,
          city,
          postalCode,
          country,
        );
      }
    },
  });
}
