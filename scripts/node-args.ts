import { fileURLToPath } from 'node:url';

/** The telemetry module every Node service loads before its own code (OpenTelemetry patches modules as they load). */
export const TELEMETRY_MODULE = fileURLToPath(
  new URL('../platform/src/telemetry/register.ts', import.meta.url),
);

/** Turns on Node's compile cache for the modules loaded after it (compile-cache.ts). */
const COMPILE_CACHE_MODULE = fileURLToPath(new URL('./compile-cache.ts', import.meta.url));

/**
 * The arguments after `node` that start a Manifold service: the compile cache, telemetry, then its
 * entry file. The one place the launcher, the e2e helpers and the benchmarks say how a service
 * starts.
 */
export const nodeArgs = (entry: string): string[] => [
  '--import',
  COMPILE_CACHE_MODULE,
  '--import',
  TELEMETRY_MODULE,
  entry,
];
