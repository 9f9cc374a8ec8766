import { ROOT_CONTEXT, TraceFlags, trace, type SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { unsampledSpansSkipped } from './unsampled-spans.ts';

const parent = (traceFlags: TraceFlags): SpanContext => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags,
  traceState: new TraceState('vendor=value'),
  isRemote: true,
});

function setUp(root: 'on' | 'off') {
  // The spans the SDK records, as they end.
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => ended.push(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const sdk = new TracerProvider({
    sampler: new ParentBasedSampler({
      root: root === 'on' ? new AlwaysOnSampler() : new AlwaysOffSampler(),
    }),
    spanProcessors: [processor],
  });
  const tracer = unsampledSpansSkipped(sdk, { rootsSampled: root === 'on' }).getTracer('test');
  return { tracer, ended };
}

describe('unsampledSpansSkipped', () => {
  it('gives the child of a span not sampled its trace id and trace state, a new span id, not sampled, never recorded', () => {
    const { tracer, ended } = setUp('on');
    const unsampled = parent(TraceFlags.NONE);
    const span = tracer.startSpan(
      'child',
      { attributes: { 'http.route': '/x' } },
      trace.setSpanContext(ROOT_CONTEXT, unsampled),
    );
    span.end();
    const context = span.spanContext();
    expect(context).toMatchObject({
      traceId: unsampled.traceId,
      traceFlags: TraceFlags.NONE,
      traceState: unsampled.traceState,
    });
    expect(context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(context.spanId).not.toBe(unsampled.spanId);
    expect(span.isRecording()).toBe(false);
    expect(ended).toHaveLength(0);
  });

  it('leaves the child of a sampled span, and a root that may be sampled, to the SDK (recorded, with attributes)', () => {
    const { tracer, ended } = setUp('on');
    const child = tracer.startSpan(
      'child',
      { attributes: { 'http.route': '/x' } },
      trace.setSpanContext(ROOT_CONTEXT, parent(TraceFlags.SAMPLED)),
    );
    child.end();
    tracer.startActiveSpan('root', { attributes: { service: 'users' } }, (span) => {
      span.end();
    });
    expect(ended.map(({ name, attributes }) => ({ name, attributes }))).toEqual([
      { name: 'child', attributes: { 'http.route': '/x' } },
      { name: 'root', attributes: { service: 'users' } },
    ]);
  });

  it('makes a root that cannot be sampled a new trace, not sampled (metrics only)', () => {
    const { tracer, ended } = setUp('off');
    const ids = tracer.startActiveSpan('root', (span) => {
      span.end();
      return span.spanContext();
    });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ids.traceId).not.toBe('0'.repeat(32));
    expect(ids.traceFlags).toBe(TraceFlags.NONE);
    expect(ended).toHaveLength(0);
  });
});
