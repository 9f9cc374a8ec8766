import { context, metrics, propagation, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';

class ManualReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface TestTelemetry {
  /** The data points of one metric, as collected now. */
  points: (name: string) => Promise<DataPoint<unknown>[]>;
  /** The spans ended so far. */
  spans: () => ReadableSpan[];
  /** Uninstalls the providers (call in afterEach/afterAll). */
  close: () => Promise<void>;
}

/**
 * Installs in-memory OpenTelemetry providers as the globals (what register.ts installs in a
 * service): metrics read on demand, spans kept in memory, context through AsyncLocalStorage,
 * `traceparent` read and written (W3C trace context).
 * Create instruments (call the factories under test) after this.
 */
export function installTestTelemetry(): TestTelemetry {
  // A worker runs file after file (isolate: false): an earlier file whose set-up failed before
  // its close() may have left its providers registered, and the API refuses a second
  // registration without a word. Clear them: this file's instruments bind to its own.
  metrics.disable();
  trace.disable();
  propagation.disable();
  context.disable();
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  metrics.setGlobalMeterProvider(meterProvider);
  trace.setGlobalTracerProvider(tracerProvider);
  return {
    points: async (name) => {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === name)
        .flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]);
    },
    spans: () => exporter.getFinishedSpans(),
    close: async () => {
      metrics.disable();
      trace.disable();
      propagation.disable();
      context.disable();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** The attributes of each data point, for `toContainEqual` checks. */
export const attributesOf = (points: readonly DataPoint<unknown>[]): Attributes[] =>
  points.map((point) => point.attributes);
