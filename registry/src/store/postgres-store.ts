import pg from 'pg';
import {
  toMeta,
  toVersion,
  VERSION_COLUMNS,
  VERSION_META_COLUMNS,
  versionNumber,
  type FullVersionRow,
  type VersionRow,
} from './rows.ts';
import { aggregateUsage, hourSeconds, orNull, type RegistryStore } from './store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS registry_versions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at BIGINT NOT NULL,
  action TEXT NOT NULL,
  subgraph TEXT,
  published_by TEXT,
  forced BOOLEAN NOT NULL DEFAULT FALSE,
  rollback_of BIGINT,
  supergraph_sdl TEXT NOT NULL,
  api_sdl TEXT NOT NULL,
  subgraphs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS registry_usage_operations (
  hash TEXT PRIMARY KEY,
  name TEXT,
  signature TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS registry_usage_coordinates (
  op_hash TEXT NOT NULL,
  coordinate TEXT NOT NULL,
  type_name TEXT NOT NULL,
  PRIMARY KEY (op_hash, coordinate)
);
CREATE INDEX IF NOT EXISTS registry_usage_coordinates_by_coordinate ON registry_usage_coordinates (coordinate);
CREATE INDEX IF NOT EXISTS registry_usage_coordinates_by_type ON registry_usage_coordinates (type_name);
CREATE TABLE IF NOT EXISTS registry_usage_counts (
  hour BIGINT NOT NULL,
  op_hash TEXT NOT NULL,
  client_name TEXT NOT NULL,
  client_version TEXT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (op_hash, hour, client_name, client_version)
);
`;

/** Advisory lock keys: schema creation, and the one writer of a new version at a time. */
const MIGRATION_LOCK = 4_400_001;
const APPEND_LOCK = 4_400_002;

// BIGINT columns come back as strings; ids and times stay far below 2^53.
const VERSIONS = `SELECT ${VERSION_COLUMNS} FROM registry_versions`;

/**
 * The shared store: several registry replicas on one PostgreSQL database. Tables are prefixed
 * `registry_` so the registry can share a database with other things.
 */
export async function openPostgresStore(connectionString: string): Promise<RegistryStore> {
  const pool = new pg.Pool({ connectionString, max: 5 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const migrator = await pool.connect();
  try {
    // Replicas starting together must not race on CREATE TABLE IF NOT EXISTS.
    await migrator.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrator.query(SCHEMA);
  } finally {
    await migrator.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    migrator.release();
  }

  const storedOperations = new Set<string>();
  const currentRow = async () =>
    (await pool.query<FullVersionRow>(`${VERSIONS} ORDER BY id DESC LIMIT 1`)).rows[0];

  return {
    kind: 'postgres',
    currentId: async () =>
      (
        await pool.query<{ id: string }>(
          'SELECT id FROM registry_versions ORDER BY id DESC LIMIT 1',
        )
      ).rows[0]?.id,
    current: async () => {
      const row = await currentRow();
      return row && toVersion(row);
    },
    version: async (id) => {
      const number = versionNumber(id);
      if (number === undefined) return undefined;
      const row = (await pool.query<FullVersionRow>(`${VERSIONS} WHERE id = $1`, [number])).rows[0];
      return row && toVersion(row);
    },
    versions: async (limit) =>
      (
        await pool.query<VersionRow>(
          `SELECT ${VERSION_META_COLUMNS} FROM registry_versions ORDER BY id DESC LIMIT $1`,
          [limit],
        )
      ).rows.map(toMeta),
    append: async (base, next) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
        const latest = (
          await client.query<{ id: string }>(
            'SELECT id FROM registry_versions ORDER BY id DESC LIMIT 1',
          )
        ).rows[0];
        if ((latest?.id ?? null) !== base) {
          await client.query('ROLLBACK');
          return undefined;
        }
        const row = (
          await client.query<FullVersionRow>(
            `INSERT INTO registry_versions (created_at, action, subgraph, published_by, forced, rollback_of, supergraph_sdl, api_sdl, subgraphs)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${VERSION_COLUMNS}`,
            [
              Date.now(),
              next.action,
              next.subgraph,
              next.publishedBy,
              next.forced,
              next.rollbackOf === null ? null : Number(next.rollbackOf),
              next.supergraphSdl,
              next.apiSdl,
              JSON.stringify(next.subgraphs),
            ],
          )
        ).rows[0];
        await client.query('COMMIT');
        return row && toVersion(row);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    recordUsage: async (entries) => {
      const { counts, operations, coordinates } = aggregateUsage(entries, storedOperations);
      if (counts.length === 0) return;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // One statement per table, whatever the batch size (arrays unnested server-side).
        await client.query(
          `INSERT INTO registry_usage_operations (hash, name, signature)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
           ON CONFLICT (hash) DO NOTHING`,
          [
            operations.map((operation) => operation.hash),
            operations.map((operation) => operation.name),
            operations.map((operation) => operation.signature),
          ],
        );
        await client.query(
          `INSERT INTO registry_usage_coordinates (op_hash, coordinate, type_name)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
           ON CONFLICT DO NOTHING`,
          [
            coordinates.map((row) => row.hash),
            coordinates.map((row) => row.coordinate),
            coordinates.map((row) => row.type),
          ],
        );
        await client.query(
          `INSERT INTO registry_usage_counts (hour, op_hash, client_name, client_version, count)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[])
           ON CONFLICT (op_hash, hour, client_name, client_version)
           DO UPDATE SET count = registry_usage_counts.count + excluded.count`,
          [
            counts.map((row) => row.hour),
            counts.map((row) => row.hash),
            counts.map((row) => row.clientName),
            counts.map((row) => row.clientVersion),
            counts.map((row) => row.count),
          ],
        );
        await client.query('COMMIT');
        for (const { hash } of operations) storedOperations.add(hash);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    usage: async ({ coordinates, types, since }) => {
      if (coordinates.length === 0 && types.length === 0) return [];
      const { rows } = await pool.query<{
        coordinate: string;
        op_hash: string;
        name: string | null;
        client_name: string;
        client_version: string;
        count: string;
      }>(
        `WITH hits AS (
           SELECT op_hash, coordinate FROM registry_usage_coordinates WHERE coordinate = ANY($1::text[])
           UNION
           SELECT op_hash, coordinate FROM registry_usage_coordinates WHERE type_name = ANY($2::text[])
         )
         SELECT h.coordinate, u.op_hash, o.name, u.client_name, u.client_version, SUM(u.count) AS count
           FROM hits h
           JOIN registry_usage_counts u ON u.op_hash = h.op_hash AND u.hour >= $3
           JOIN registry_usage_operations o ON o.hash = h.op_hash
          GROUP BY h.coordinate, u.op_hash, o.name, u.client_name, u.client_version`,
        [[...coordinates], [...types], hourSeconds(since)],
      );
      return rows.map((row) => ({
        coordinate: row.coordinate,
        operationHash: row.op_hash,
        operationName: row.name,
        clientName: orNull(row.client_name),
        clientVersion: orNull(row.client_version),
        count: Number(row.count),
      }));
    },
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}
