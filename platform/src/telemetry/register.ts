// Telemetry for a Manifold service, loaded before the service's own code:
//   node --import ./platform/src/telemetry/register.ts <service>/src/main.ts
// (scripts/node-args.ts puts it on every command line). OpenTelemetry must patch express, pino
// and graphql before anything imports them, hence a module of its own, run first; and, alone in
// the code base, state of its own (the SDK, behind runtime.ts).
import { register } from 'import-in-the-middle/register-hooks.mjs';
import { configOrExit } from '../config/index.ts';
import { readTelemetryConfig } from './config.ts';
import { installTelemetryRuntime } from './runtime.ts';

/** What the instrumentations patch when an ES module imports it (see instrumentations.ts). */
const INSTRUMENTED_MODULES = ['express', 'graphql', 'pino'] as const;

const config = configOrExit(() => readTelemetryConfig(process.env, process.argv[1]));
if (config.enabled) {
  // Modules imported from ESM are patched through an in-thread loader hook (module.registerHooks),
  // for the instrumented modules only: every other module loads untouched.
  register({ include: [...INSTRUMENTED_MODULES] });
  const { startTelemetry } = await import('./sdk.ts');
  installTelemetryRuntime(startTelemetry(config));
}
