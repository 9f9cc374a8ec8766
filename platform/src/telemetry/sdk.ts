import { createNoopMeter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, NoopSpanProcessor, ParentBasedSampler } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config.ts';
import { manifoldMeter } from './meter.ts';
import { createInstrumentations } from './instrumentations.ts';
import { createRecentFailures } from './recent-failures.ts';
import type { TelemetryRuntime } from './runtime.ts';
import { skipUnsampledSpans } from './unsampled-spans.ts';

// Careful what this file imports: anything that loads express, pino or graphql before the
// instrumentations exist leaves that module unpatched (no spans, no trace ids in logs).

/**
 * Starts OpenTelemetry for this process:
 * - metrics: OTel meters read by the Prometheus exporter, served by the service itself at
 *   /metrics (no second port), `service_name` on every series;
 * - traces: exported only when an OTLP endpoint (or OTEL_TRACES_EXPORTER) says where, with the
 *   sampler of OTEL_TRACES_SAMPLER; otherwise spans are not recorded, but trace ids are still
 *   made, propagated (`traceparent`) and written on log lines;
 * - logs stay on stdout (pino), never exported.
 */
export function startTelemetry(config: TelemetryConfig): TelemetryRuntime {
  const prometheus = new PrometheusExporter({
    preventServerStart: true,
    withResourceConstantLabels: /^service\.name$/,
    withoutScopeInfo: true,
  });
  const instrumentations = createInstrumentations({ traces: config.exportsTraces });
  const sdk = new NodeSDK({
    ...(config.serviceName === undefined ? {} : { serviceName: config.serviceName }),
    instrumentations,
    metricReaders: [prometheus],
    logRecordProcessors: [],
    ...(config.exportsTraces
      ? {} // span processors, exporter and sampler from the OTEL_* variables
      : {
          spanProcessors: [new NoopSpanProcessor()],
          ...(config.samplerFromEnv
            ? {}
            : { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) }),
        }),
  });
  sdk.start();
  // Spans nobody samples cost only their ids (see unsampled-spans.ts): with a ParentBased sampler
  // (ours when nothing is exported; the specification's default; parentbased_* from the
  // environment). Not when the SDK counts its own spans (otel.sdk.span.*): those count every span.
  const sampler = config.samplerFromEnv ? process.env['OTEL_TRACES_SAMPLER'] : undefined;
  if (
    (sampler === undefined || sampler.startsWith('parentbased_')) &&
    process.env['OTEL_NODE_EXPERIMENTAL_SDK_METRICS'] !== 'true'
  )
    skipUnsampledSpans({ rootsSampled: config.exportsTraces || config.samplerFromEnv });
  // We time server requests ourselves, route template and catalogue code included, where every
  // request passes (cached answers too): the http instrumentation's copy would clash. A no-op meter
  // rather than a DROP view, because a dropped instrument still hashes every measurement's
  // attributes (a few µs per request, measured on a cached answer).
  for (const instrumentation of instrumentations)
    if (instrumentation.instrumentationName === '@opentelemetry/instrumentation-http')
      instrumentation.setMeterProvider({ getMeter: () => createNoopMeter() });
  manifoldMeter()
    .createObservableGauge('process.memory.usage', {
      unit: 'By',
      description: 'Resident set size of the process.',
    })
    .addCallback((result) => {
      result.observe(process.memoryUsage.rss());
    });
  return {
    serviceName: config.serviceName ?? 'unknown_service',
    serveMetrics: (req, res) => {
      prometheus.getMetricsRequestHandler(req, res);
    },
    failures: createRecentFailures(),
    shutdown: () => sdk.shutdown(),
  };
}
