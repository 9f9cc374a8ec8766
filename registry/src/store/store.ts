import type { SubgraphSource } from '../composition/protocol.ts';

export type VersionAction = 'seed' | 'publish' | 'rollback';

/** One supergraph version's history entry. */
export interface VersionMeta {
  /** Opaque id (a decimal sequence number today); compare for equality only. */
  version: string;
  createdAt: Date;
  action: VersionAction;
  /** The subgraph a publish changed. */
  subgraph: string | null;
  /** Who did it (client id, user, key id). */
  publishedBy: string | null;
  /** Published although its check failed. */
  forced: boolean;
  /** The version a rollback restored. */
  rollbackOf: string | null;
}

export interface StoredVersion extends VersionMeta {
  supergraphSdl: string;
  apiSdl: string;
  /** Every subgraph as it was in this version. */
  subgraphs: SubgraphSource[];
}

export type NewVersion = Omit<StoredVersion, 'version' | 'createdAt'>;

/** Executions of one operation by one client in one hour, and what it touched. */
export interface UsageEntry {
  /** Start of the UTC hour. */
  hour: Date;
  operation: { hash: string; name: string | null; signature: string };
  client: { name: string | null; version: string | null };
  count: number;
  /** Schema coordinates: `Type.field`, `Type.field(arg:)`. */
  coordinates: readonly string[];
}

/** How much one client's runs of one operation touched one coordinate, within a window. */
export interface CoordinateUse {
  coordinate: string;
  operationHash: string;
  operationName: string | null;
  clientName: string | null;
  clientVersion: string | null;
  count: number;
}

export interface UsageQuery {
  /** Coordinates looked up as they are. */
  coordinates: readonly string[];
  /** Types whose every coordinate (`Type.…`) is looked up. */
  types: readonly string[];
  /** Only executions in hours starting at or after this. */
  since: Date;
}

/**
 * Where the registry keeps versions and usage: SQLite (embedded, one process) or PostgreSQL
 * (several replicas). Both pass the same test suite (registry/test/store-suite.ts).
 */
export interface RegistryStore {
  readonly kind: 'sqlite' | 'postgres';
  /** The latest version's id, cheaply (polled by every replica for long-polls). */
  currentId(): Promise<string | undefined>;
  current(): Promise<StoredVersion | undefined>;
  version(id: string): Promise<StoredVersion | undefined>;
  /** Newest first. */
  versions(limit: number): Promise<VersionMeta[]>;
  /**
   * Stores `next` as the new current version if the current one is still `base` (null: the store
   * is empty); undefined when another writer got there first (the caller re-checks and retries).
   */
  append(base: string | null, next: NewVersion): Promise<StoredVersion | undefined>;
  recordUsage(entries: readonly UsageEntry[]): Promise<void>;
  usage(query: UsageQuery): Promise<CoordinateUse[]>;
  /** Throws when the store cannot answer (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Entries that share hour, operation and client, summed (one upsert per key, as PostgreSQL
 * requires). An operation's coordinates follow from its signature, so those of operations in
 * `stored` (already written by this process) are not written again: a report of known operations
 * costs one upsert per count.
 */
export function aggregateUsage(
  entries: readonly UsageEntry[],
  stored: ReadonlySet<string> = new Set(),
) {
  const counts = new Map<
    string,
    { hour: number; hash: string; clientName: string; clientVersion: string; count: number }
  >();
  const operations = new Map<string, { name: string | null; signature: string }>();
  const coordinates = new Map<string, { hash: string; coordinate: string; type: string }>();
  for (const entry of entries) {
    const hour = hourSeconds(entry.hour);
    const { hash } = entry.operation;
    // '' stands for "no client name/version" so it can be part of a primary key.
    const clientName = entry.client.name ?? '';
    const clientVersion = entry.client.version ?? '';
    const key = `${hour}\u0000${hash}\u0000${clientName}\u0000${clientVersion}`;
    const known = counts.get(key);
    if (known) known.count += entry.count;
    else counts.set(key, { hour, hash, clientName, clientVersion, count: entry.count });
    if (stored.has(hash) || operations.has(hash)) continue;
    operations.set(hash, { name: entry.operation.name, signature: entry.operation.signature });
    for (const coordinate of entry.coordinates)
      coordinates.set(`${hash}\u0000${coordinate}`, {
        hash,
        coordinate,
        type: typeOfCoordinate(coordinate),
      });
  }
  return {
    counts: [...counts.values()],
    operations: [...operations.entries()].map(([hash, operation]) => ({ hash, ...operation })),
    coordinates: [...coordinates.values()],
  };
}

/** `User.email` → `User`; `Query.user(id:)` → `Query`. */
export const typeOfCoordinate = (coordinate: string) =>
  coordinate.split(/[.(]/, 1)[0] ?? coordinate;

/** Seconds since the epoch of `date`'s hour (how hours are stored). */
export const hourSeconds = (date: Date) => Math.floor(date.getTime() / 3_600_000) * 3_600;

export const orNull = (value: string): string | null => (value === '' ? null : value);
