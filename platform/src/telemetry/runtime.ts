import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecentFailures } from './recent-failures.ts';

/** What the telemetry started by `register.ts` offers the service's own code. */
export interface TelemetryRuntime {
  /** `service.name` of this process's telemetry. */
  readonly serviceName: string;
  /** Answers a Prometheus scrape with every metric of the process. */
  serveMetrics: (req: IncomingMessage, res: ServerResponse) => void;
  /** The latest failed requests, with their trace ids, for the ops console. */
  readonly failures: RecentFailures;
  /** Exports the spans not sent yet and stops the SDK (at shutdown). */
  shutdown: () => Promise<void>;
}

// On globalThis rather than in a module variable: register.ts (loaded by `--import`) and the
// service's code must find the same runtime even if a tool loads this file twice.
const KEY = Symbol.for('manifold.telemetry');
type Holder = { [KEY]?: TelemetryRuntime };

/** Called once, by register.ts. */
export function installTelemetryRuntime(runtime: TelemetryRuntime): void {
  (globalThis as Holder)[KEY] = runtime;
}

/** Forgets the runtime (tests: a worker runs file after file, and the next one expects none). */
export function uninstallTelemetryRuntime(): void {
  Reflect.deleteProperty(globalThis, KEY);
}

/** The running telemetry, or undefined when the process was started without it. */
export function telemetryRuntime(): TelemetryRuntime | undefined {
  return (globalThis as Holder)[KEY];
}

/** Flushes and stops telemetry, if it runs; never throws (a collector that is down must not block a shutdown). */
export async function shutdownTelemetry(): Promise<void> {
  try {
    await telemetryRuntime()?.shutdown();
  } catch {
    // the spans are lost; the service still stops
  }
}
