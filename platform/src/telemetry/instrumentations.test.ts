import { afterEach, describe, expect, it } from 'vitest';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { createInstrumentations } from './instrumentations.ts';

describe('createInstrumentations', () => {
  let created: Instrumentation[] = [];
  afterEach(() => {
    for (const instrumentation of created) instrumentation.disable();
    created = [];
  });
  const names = (traces: boolean) => {
    const instrumentations = createInstrumentations({ traces });
    created.push(...instrumentations);
    return instrumentations.map((instrumentation) => instrumentation.instrumentationName).sort();
  };

  it('leaves out the span-only instrumentations (express, graphql) when no trace is exported, keeping trace ids made, passed on and logged', () => {
    expect(names(false)).toEqual([
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-pino',
      '@opentelemetry/instrumentation-runtime-node',
      '@opentelemetry/instrumentation-undici',
    ]);
    expect(names(true)).toEqual([
      '@opentelemetry/instrumentation-express',
      '@opentelemetry/instrumentation-graphql',
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-pino',
      '@opentelemetry/instrumentation-runtime-node',
      '@opentelemetry/instrumentation-undici',
    ]);
  });
});
