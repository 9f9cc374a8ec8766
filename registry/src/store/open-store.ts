import { openPostgresStore } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { RegistryStore } from './store.ts';

/** PostgreSQL when a URL is given (replicas share it), else the embedded SQLite file. */
export const openStore = ({
  databaseUrl,
  databasePath,
}: {
  databaseUrl?: string | undefined;
  databasePath: string;
}): Promise<RegistryStore> =>
  databaseUrl === undefined
    ? Promise.resolve(openSqliteStore(databasePath))
    : openPostgresStore(databaseUrl);
