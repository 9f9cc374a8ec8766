import { basename, dirname, sep } from 'node:path';
import { z } from 'zod';
import { httpUrl, loadEnv } from '../config/index.ts';

/**
 * The standard OpenTelemetry variables telemetry decides on itself. The SDK reads the others as the
 * specification says: OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER_ARG, OTEL_EXPORTER_OTLP_PROTOCOL,
 * OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_* and the rest.
 */
export const TelemetryEnv = z.object({
  /** true: no telemetry at all (no instrumentation, /metrics answers 404). */
  OTEL_SDK_DISABLED: z.stringbool().default(false),
  /** Unset: the service's folder (`subgraphs/users/src/main.ts` → `users`). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Where spans go (OTLP over HTTP, `/v1/traces` appended). Unset, with the next one unset: nowhere. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl().optional(),
  /** `otlp` (default once an endpoint is set), `console`, or `none`. */
  OTEL_TRACES_EXPORTER: z.string().min(1).optional(),
  /** When nothing is exported and this is unset, spans are not recorded (ids still propagate). */
  OTEL_TRACES_SAMPLER: z.string().min(1).optional(),
});

export interface TelemetryConfig {
  enabled: boolean;
  /** OTEL_SERVICE_NAME, else the service's folder; undefined for a script outside `<dir>/src/main.ts`. */
  serviceName: string | undefined;
  /** Spans leave the process (OTLP or console exporter, built by the SDK from the OTEL_* variables). */
  exportsTraces: boolean;
  /** The operator chose a sampler (OTEL_TRACES_SAMPLER). */
  samplerFromEnv: boolean;
}

/** `<dir>/src/main.ts` → `<dir>`: the name a service has everywhere else (launcher, compose, ports). */
export function serviceNameFromEntry(entry: string | undefined): string | undefined {
  if (entry === undefined) return undefined;
  const parts = entry.split(sep);
  if (parts.at(-1) !== 'main.ts' || parts.at(-2) !== 'src') return undefined;
  const name = basename(dirname(dirname(entry)));
  return name === '' || name === '.' ? undefined : name;
}

/** What telemetry does in this process, from its environment and its entry file. */
export function readTelemetryConfig(
  source: Readonly<Record<string, string | undefined>>,
  entry: string | undefined,
): TelemetryConfig {
  const env = loadEnv(TelemetryEnv, source);
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // The specification's default exporter is OTLP to localhost: we export only when told where.
  const exporter = env.OTEL_TRACES_EXPORTER ?? (endpoint === undefined ? 'none' : 'otlp');
  return {
    enabled: !env.OTEL_SDK_DISABLED,
    serviceName: env.OTEL_SERVICE_NAME ?? serviceNameFromEntry(entry),
    exportsTraces: exporter
      .split(',')
      .map((name) => name.trim())
      .some((name) => name !== 'none' && name !== ''),
    samplerFromEnv: env.OTEL_TRACES_SAMPLER !== undefined,
  };
}
