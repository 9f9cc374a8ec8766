import type { SubgraphSource } from '../composition/protocol.ts';
import type { StoredVersion, VersionAction, VersionMeta } from './store.ts';

/** A versions row as both stores return it (PostgreSQL returns BIGINTs as strings). Type aliases: pg wants index-signature-compatible rows. */
export type VersionRow = {
  id: number | string;
  created_at: number | string;
  action: string;
  subgraph: string | null;
  published_by: string | null;
  forced: number | boolean;
  rollback_of: number | string | null;
};

export type FullVersionRow = VersionRow & {
  supergraph_sdl: string;
  api_sdl: string;
  subgraphs: string;
};

export const VERSION_META_COLUMNS =
  'id, created_at, action, subgraph, published_by, forced, rollback_of';
export const VERSION_COLUMNS = `${VERSION_META_COLUMNS}, supergraph_sdl, api_sdl, subgraphs`;

export const toMeta = (row: VersionRow): VersionMeta => ({
  version: String(row.id),
  createdAt: new Date(Number(row.created_at)),
  action: row.action as VersionAction,
  subgraph: row.subgraph,
  publishedBy: row.published_by,
  forced: Boolean(row.forced),
  rollbackOf: row.rollback_of === null ? null : String(row.rollback_of),
});

export const toVersion = (row: FullVersionRow): StoredVersion => ({
  ...toMeta(row),
  supergraphSdl: row.supergraph_sdl,
  apiSdl: row.api_sdl,
  subgraphs: JSON.parse(row.subgraphs) as SubgraphSource[],
});

/** Version ids are decimal sequence numbers; anything else names no version. */
export const versionNumber = (id: string): number | undefined =>
  /^[1-9]\d{0,15}$/.test(id) ? Number(id) : undefined;
