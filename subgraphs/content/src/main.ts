import { configOrExit, loadEnv } from '@manifold/platform/config';
import { serveSubgraph } from '@manifold/platform/graphql';
import { createApp } from './app.ts';
import { ContentEnv } from './config.ts';
import { openContentDatabase } from './data/database.ts';

const env = configOrExit(() => loadEnv(ContentEnv));
await serveSubgraph({
  name: 'content',
  env,
  createApp,
  openDatabase: () => openContentDatabase({ path: env.CONTENT_DATABASE_PATH }),
});
