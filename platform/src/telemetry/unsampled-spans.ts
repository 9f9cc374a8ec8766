import {
  context,
  isSpanContextValid,
  TraceFlags,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace';

export interface UnsampledSpansOptions {
  /** Whether a root span (no valid parent) can be sampled: false for "metrics only" (ParentBased(AlwaysOff)). */
  rootsSampled: boolean;
}

/**
 * When the sampler is ParentBased (whose delegates for a parent that is not sampled are
 * AlwaysOff, the SDK's default), the child of a span that is not sampled is never sampled, and
 * without a sampled root neither is a root span. The SDK's tracer still does all of a recorded
 * span's work first — the attributes cleaned and copied (the http server span's dozen, every
 * fetch's), the sampler asked, its own span counters fed — before it hands back a span that only
 * carries ids. This tracer answers those cases with that same span (a new span id; the parent's
 * trace id and trace state, or a new trace id for a root; flags "not sampled") and leaves every
 * other span (sampled parent, a root that may be sampled, suppressed tracing) to the SDK's.
 */
class UnsampledSpansTracer implements Tracer {
  private readonly sdk: Tracer;
  private readonly ids: RandomIdGenerator;
  private readonly rootsSampled: boolean;

  constructor(sdk: Tracer, ids: RandomIdGenerator, rootsSampled: boolean) {
    this.sdk = sdk;
    this.ids = ids;
    this.rootsSampled = rootsSampled;
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span {
    if (isTracingSuppressed(ctx)) return this.sdk.startSpan(name, options, ctx);
    const parent = options.root ? undefined : trace.getSpanContext(ctx);
    if (parent !== undefined && isSpanContextValid(parent)) {
      if ((parent.traceFlags & TraceFlags.SAMPLED) !== 0)
        return this.sdk.startSpan(name, options, ctx);
      return trace.wrapSpanContext(this.unsampled(parent.traceId, parent));
    }
    if (this.rootsSampled) return this.sdk.startSpan(name, options, ctx);
    return trace.wrapSpanContext(this.unsampled(this.ids.generateTraceId()));
  }

  private unsampled(traceId: string, parent?: SpanContext): SpanContext {
    return {
      traceId,
      spanId: this.ids.generateSpanId(),
      traceFlags: TraceFlags.NONE,
      ...(parent?.traceState === undefined ? {} : { traceState: parent.traceState }),
    };
  }

  // The SDK tracer's own startActiveSpan, on this startSpan.
  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = args.at(-1) as (span: Span) => ReturnType<F>;
    const options = args.length > 1 ? (args[0] as SpanOptions) : undefined;
    const parentContext = args.length > 2 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, options, parentContext);
    return context.with(trace.setSpan(parentContext, span), fn, undefined, span);
  }
}

/** `sdk`'s tracers, behind UnsampledSpansTracer. */
export function unsampledSpansSkipped(
  sdk: TracerProvider,
  { rootsSampled }: UnsampledSpansOptions,
): TracerProvider {
  const ids = new RandomIdGenerator();
  return {
    getTracer: (name, version, options) =>
      new UnsampledSpansTracer(sdk.getTracer(name, version, options), ids, rootsSampled),
  };
}

/** The API's global tracer provider (a proxy), whichever copy of the API (ESM or CommonJS) registered it. */
interface DelegatingTracerProvider extends TracerProvider {
  getDelegate?: () => TracerProvider;
  setDelegate?: (delegate: TracerProvider) => void;
}

/**
 * Puts UnsampledSpansTracer in front of the tracer provider the SDK registered. Call it right after
 * the SDK starts, before any span: tracers obtained from the API (instrumentations', libraries')
 * ask the global provider for theirs on first use.
 */
export function skipUnsampledSpans(options: UnsampledSpansOptions): void {
  const global = trace.getTracerProvider() as DelegatingTracerProvider;
  if (global.getDelegate === undefined || global.setDelegate === undefined) return;
  global.setDelegate(unsampledSpansSkipped(global.getDelegate(), options));
}
