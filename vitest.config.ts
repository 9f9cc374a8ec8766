import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Node loads graphql's CommonJS build for every importer (Apollo included). Vite would pick its
// `module` (ESM) build for our sources: two copies, and `instanceof GraphQLError` lies. One copy, as in production.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

// Three projects, as in Hive Gateway: unit tests sit beside the code, integration
// tests exercise one service over real HTTP, e2e tests spawn real processes.
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    // Vitest's default is one worker fewer than the cores: on a 2-core machine (CI's), one file at a
    // time, with each file's process start, imports and set-up idle in between. Most of our files
    // wait on processes, Redis and sockets rather than compute, so two at a time even there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          // One worker runs many files, its imports loaded once: the unit files took 34 s isolated
          // and 6.5 s not (on CI's kind of machine). Each file restores the globals it changes
          // (docs/style.md lists them) and builds its instruments and services itself, so no file
          // sees another's; shuffled orders pass as well.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/test/**/*.int.test.ts', 'test/*.test.ts'],
          exclude: ['**/node_modules/**'],
          // As for unit: 338 s isolated, 227 s not, the difference being each file's own imports.
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // e2e scenarios spawn whole stacks on fixed-free ports; run them one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
