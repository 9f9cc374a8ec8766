import { existsSync, renameSync, rmSync } from 'node:fs';
import { SqliteDatabase } from './sqlite.ts';

export interface SeededDatabaseOptions {
  /** File path, or ':memory:' (tests). */
  path: string;
  /** Bump when the schema or seed changes: an older file is rebuilt. */
  version: string;
  /** DDL creating every table and index. */
  schemaSql: string;
  /** Fills the tables; runs inside one transaction. */
  seed: (db: SqliteDatabase) => void;
  /** Rebuild even when a current file exists (`npm run seed`). @default false */
  rebuild?: boolean;
}

const META_SQL = 'CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)';

/**
 * Opens a subgraph database, creating and seeding it first when missing or stale. Seeding
 * writes a temporary file and renames it into place, so a process killed mid-seed never
 * leaves a half-filled database behind.
 */
export function openSeededDatabase({
  path,
  version,
  schemaSql,
  seed,
  rebuild = false,
}: SeededDatabaseOptions): SqliteDatabase {
  if (path === ':memory:') {
    const db = new SqliteDatabase(path);
    build(db, schemaSql, seed, version);
    return db;
  }
  if (!rebuild && existsSync(path) && currentVersion(path) === version)
    return new SqliteDatabase(path);

  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  const scratch = new SqliteDatabase(temporary);
  // Nothing to protect while building a scratch file: skip the journal for speed.
  scratch.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
  build(scratch, schemaSql, seed, version);
  scratch.close();
  for (const suffix of ['-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  renameSync(temporary, path);
  return new SqliteDatabase(path);
}

function build(
  db: SqliteDatabase,
  schemaSql: string,
  seed: (db: SqliteDatabase) => void,
  version: string,
): void {
  db.exec(schemaSql);
  db.exec(META_SQL);
  db.transaction(() => {
    seed(db);
    db.run("INSERT OR REPLACE INTO _meta (key, value) VALUES ('version', ?)", version);
  });
}

function currentVersion(path: string): string | undefined {
  const db = new SqliteDatabase(path);
  try {
    db.exec(META_SQL);
    return db.get<{ value: string }>("SELECT value FROM _meta WHERE key = 'version'")?.value;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}
