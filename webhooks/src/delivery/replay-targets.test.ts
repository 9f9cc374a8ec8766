import { Secret, type ClientCredentials } from '@manifold/platform/auth';
import { describe, expect, it } from 'vitest';
import { recordedRequestJob } from '../../test/recorded-request-job.ts';
import { replayRequest, type ReplayCredential, type ReplayTargets } from './replay-targets.ts';

const job = recordedRequestJob;
const targets = (credential: ReplayCredential | undefined): ReplayTargets => ({
  'legacy-rest-adapter': {
    baseUrl: 'http://adapter.internal:4200',
    credential,
    credentialHint: 'set WEBHOOKS_LEGACY_ADAPTER_API_KEY',
  },
});
const replayHeaders = {
  'api-version': '2',
  'content-type': 'application/json',
  'idempotency-key': 'legacy-rest-adapter-0001',
  'x-request-id': 'legacy-rest-adapter-0001',
};

describe('replayRequest', () => {
  it("sends an adapter's record to the configured adapter, never to the recorded host, with its key and the dead letter's id", () => {
    const data = job('legacy-rest-adapter', 'http://elsewhere.example/api/v2/tickets?x=1');
    const request = replayRequest(
      data,
      data.upstreamRequest!,
      targets({ apiKey: new Secret(() => 'mfk_key', 'test') }),
    );
    expect(request).toEqual({
      url: 'http://adapter.internal:4200/api/v2/tickets?x=1',
      headers: { ...replayHeaders, 'x-api-key': 'mfk_key' },
    });
  });

  it('with client credentials, leaves the token to them: no API key header, the bearer to send with', () => {
    const data = job('legacy-rest-adapter', 'http://elsewhere.example/api/v2/tickets');
    const bearer: ClientCredentials = {
      token: () => Promise.resolve('token'),
      fetch: (url, init) => fetch(url, init),
    };
    expect(replayRequest(data, data.upstreamRequest!, targets({ bearer }))).toEqual({
      url: 'http://adapter.internal:4200/api/v2/tickets',
      headers: replayHeaders,
      bearer,
    });
  });

  it('sends nothing without a credential, and other sources as recorded', () => {
    const adapter = job('legacy-rest-adapter', 'http://127.0.0.1:4200/api/v2/tickets');
    expect(replayRequest(adapter, adapter.upstreamRequest!, targets(undefined))).toEqual({
      notSent: expect.stringContaining('WEBHOOKS_LEGACY_ADAPTER_API_KEY') as unknown,
    });
    const soap = job('soap-proxy', 'http://127.0.0.1:8081/');
    expect(replayRequest(soap, soap.upstreamRequest!, targets(undefined))).toEqual({
      url: 'http://127.0.0.1:8081/',
      headers: { 'api-version': '2', 'content-type': 'application/json' },
    });
  });
});
