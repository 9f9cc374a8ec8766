import { configOrExit, loadEnv } from '@manifold/platform/config';
import { serveSubgraph } from '@manifold/platform/graphql';
import { createApp } from './app.ts';
import { UsersEnv } from './config.ts';
import { openUsersDatabase } from './data/database.ts';

const env = configOrExit(() => loadEnv(UsersEnv));
await serveSubgraph({
  name: 'users',
  env,
  createApp,
  openDatabase: () => openUsersDatabase({ path: env.USERS_DATABASE_PATH }),
});
