import { jsonList, SqliteDatabase } from '@manifold/platform/data';
import {
  toMeta,
  toVersion,
  VERSION_COLUMNS,
  VERSION_META_COLUMNS,
  versionNumber,
  type FullVersionRow,
  type VersionRow,
} from './rows.ts';
import {
  aggregateUsage,
  hourSeconds,
  orNull,
  type CoordinateUse,
  type RegistryStore,
} from './store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at INTEGER NOT NULL,
  action TEXT NOT NULL,
  subgraph TEXT,
  published_by TEXT,
  forced INTEGER NOT NULL DEFAULT 0,
  rollback_of INTEGER,
  supergraph_sdl TEXT NOT NULL,
  api_sdl TEXT NOT NULL,
  subgraphs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_operations (
  hash TEXT PRIMARY KEY,
  name TEXT,
  signature TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_coordinates (
  op_hash TEXT NOT NULL,
  coordinate TEXT NOT NULL,
  type_name TEXT NOT NULL,
  PRIMARY KEY (op_hash, coordinate)
);
CREATE INDEX IF NOT EXISTS usage_coordinates_by_coordinate ON usage_coordinates (coordinate);
CREATE INDEX IF NOT EXISTS usage_coordinates_by_type ON usage_coordinates (type_name);
CREATE TABLE IF NOT EXISTS usage_counts (
  hour INTEGER NOT NULL,
  op_hash TEXT NOT NULL,
  client_name TEXT NOT NULL,
  client_version TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (op_hash, hour, client_name, client_version)
);
`;

/** The embedded store: one SQLite file (node:sqlite), one registry process. */
export function openSqliteStore(path: string): RegistryStore {
  const db = new SqliteDatabase(path);
  db.exec(SCHEMA);
  const storedOperations = new Set<string>();
  const currentRow = () =>
    db.get<FullVersionRow>(`SELECT ${VERSION_COLUMNS} FROM versions ORDER BY id DESC LIMIT 1`);

  return {
    kind: 'sqlite',
    currentId: () =>
      Promise.resolve(
        db.get<{ id: number }>('SELECT id FROM versions ORDER BY id DESC LIMIT 1')?.id.toString(),
      ),
    current: () => {
      const row = currentRow();
      return Promise.resolve(row && toVersion(row));
    },
    version: (id) => {
      const number = versionNumber(id);
      const row =
        number === undefined
          ? undefined
          : db.get<FullVersionRow>(`SELECT ${VERSION_COLUMNS} FROM versions WHERE id = ?`, number);
      return Promise.resolve(row && toVersion(row));
    },
    versions: (limit) =>
      Promise.resolve(
        db
          .all<VersionRow>(
            `SELECT ${VERSION_META_COLUMNS} FROM versions ORDER BY id DESC LIMIT ?`,
            limit,
          )
          .map(toMeta),
      ),
    append: (base, next) =>
      Promise.resolve(
        db.transaction(() => {
          const latest = db.get<{ id: number }>('SELECT id FROM versions ORDER BY id DESC LIMIT 1');
          if ((latest?.id.toString() ?? null) !== base) return undefined;
          const { lastInsertRowid } = db.run(
            `INSERT INTO versions (created_at, action, subgraph, published_by, forced, rollback_of, supergraph_sdl, api_sdl, subgraphs)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            Date.now(),
            next.action,
            next.subgraph,
            next.publishedBy,
            next.forced ? 1 : 0,
            next.rollbackOf === null ? null : Number(next.rollbackOf),
            next.supergraphSdl,
            next.apiSdl,
            JSON.stringify(next.subgraphs),
          );
          const row = db.get<FullVersionRow>(
            `SELECT ${VERSION_COLUMNS} FROM versions WHERE id = ?`,
            lastInsertRowid,
          );
          return row && toVersion(row);
        }),
      ),
    recordUsage: (entries) => {
      const { counts, operations, coordinates } = aggregateUsage(entries, storedOperations);
      db.transaction(() => {
        for (const { hash, name, signature } of operations)
          db.run(
            `INSERT INTO usage_operations (hash, name, signature) VALUES (?, ?, ?)
             ON CONFLICT (hash) DO NOTHING`,
            hash,
            name,
            signature,
          );
        for (const { hash, coordinate, type } of coordinates)
          db.run(
            `INSERT INTO usage_coordinates (op_hash, coordinate, type_name) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING`,
            hash,
            coordinate,
            type,
          );
        for (const { hour, hash, clientName, clientVersion, count } of counts)
          db.run(
            `INSERT INTO usage_counts (hour, op_hash, client_name, client_version, count) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (op_hash, hour, client_name, client_version) DO UPDATE SET count = count + excluded.count`,
            hour,
            hash,
            clientName,
            clientVersion,
            count,
          );
      });
      for (const { hash } of operations) storedOperations.add(hash);
      return Promise.resolve();
    },
    usage: ({ coordinates, types, since }) => {
      if (coordinates.length === 0 && types.length === 0) return Promise.resolve([]);
      const rows = db.all<{
        coordinate: string;
        op_hash: string;
        name: string | null;
        client_name: string;
        client_version: string;
        count: number;
      }>(
        `WITH hits AS (
           SELECT op_hash, coordinate FROM usage_coordinates
            WHERE coordinate IN (SELECT value FROM json_each(?))
           UNION
           SELECT op_hash, coordinate FROM usage_coordinates
            WHERE type_name IN (SELECT value FROM json_each(?))
         )
         SELECT h.coordinate, u.op_hash, o.name, u.client_name, u.client_version, SUM(u.count) AS count
           FROM hits h
           JOIN usage_counts u ON u.op_hash = h.op_hash AND u.hour >= ?
           JOIN usage_operations o ON o.hash = h.op_hash
          GROUP BY h.coordinate, u.op_hash, o.name, u.client_name, u.client_version`,
        jsonList(coordinates),
        jsonList(types),
        hourSeconds(since),
      );
      return Promise.resolve(
        rows.map((row): CoordinateUse => ({
          coordinate: row.coordinate,
          operationHash: row.op_hash,
          operationName: row.name,
          clientName: orNull(row.client_name),
          clientVersion: orNull(row.client_version),
          count: row.count,
        })),
      );
    },
    ping: () => {
      db.get('SELECT 1');
      return Promise.resolve();
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
