import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.ts';
import { readTelemetryConfig, serviceNameFromEntry } from './config.ts';

describe('telemetry configuration', () => {
  it('exports nothing by default, and records no spans (ids still made and propagated)', () => {
    expect(readTelemetryConfig({}, 'gateway/src/main.ts')).toEqual({
      enabled: true,
      serviceName: 'gateway',
      exportsTraces: false,
      samplerFromEnv: false,
    });
  });

  it('exports over OTLP once an endpoint is set, unless OTEL_TRACES_EXPORTER=none', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(readTelemetryConfig(endpoint, undefined).exportsTraces).toBe(true);
    expect(
      readTelemetryConfig(
        { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' },
        undefined,
      ).exportsTraces,
    ).toBe(true);
    expect(
      readTelemetryConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }, undefined).exportsTraces,
    ).toBe(false);
    expect(readTelemetryConfig({ OTEL_TRACES_EXPORTER: 'console' }, undefined).exportsTraces).toBe(
      true,
    );
  });

  it('honours OTEL_SDK_DISABLED, OTEL_SERVICE_NAME and OTEL_TRACES_SAMPLER', () => {
    expect(readTelemetryConfig({ OTEL_SDK_DISABLED: 'true' }, undefined).enabled).toBe(false);
    expect(
      readTelemetryConfig({ OTEL_SERVICE_NAME: 'edge-1' }, 'gateway/src/main.ts').serviceName,
    ).toBe('edge-1');
    expect(
      readTelemetryConfig({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' }, undefined)
        .samplerFromEnv,
    ).toBe(true);
  });

  it('refuses an endpoint that is not an http(s) URL, saying which variable', () => {
    expect(() =>
      readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, undefined),
    ).toThrow(ConfigError);
    expect(() =>
      readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, undefined),
    ).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('names a service after its folder', () => {
    expect(serviceNameFromEntry(join('/srv', 'subgraphs', 'users', 'src', 'main.ts'))).toBe(
      'users',
    );
    expect(serviceNameFromEntry('legacy-rest-adapter/src/main.ts')).toBe('legacy-rest-adapter');
    expect(serviceNameFromEntry('bench/support/tcp-relay.ts')).toBeUndefined();
    expect(serviceNameFromEntry(undefined)).toBeUndefined();
  });
});
