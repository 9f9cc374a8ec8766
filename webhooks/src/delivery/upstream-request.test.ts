import { TOKEN_ENDPOINT, type ClientCredentials } from '@manifold/platform/auth';
import { UpstreamError } from '@manifold/platform/errors';
import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { DeliveryJob } from '../engine/queues.ts';
import type { WebhooksMetrics } from '../metrics.ts';
import { recordedRequestJob } from '../../test/recorded-request-job.ts';
import { deliverUpstreamRequest } from './upstream-request.ts';

/** A replayed adapter dead letter: the job's data, log and data updates, as BullMQ keeps them. */
const replayedJob = () => {
  const state = {
    data: { ...recordedRequestJob(), replayedAt: '2026-12-04T01:00:00.000Z' } as DeliveryJob,
    log: [] as string[],
  };
  const job = {
    get data() {
      return state.data;
    },
    log: (line: string) => {
      state.log.push(line);
      return Promise.resolve(state.log.length);
    },
    updateData: (data: DeliveryJob) => {
      state.data = data;
      return Promise.resolve();
    },
  } as unknown as Job<DeliveryJob>;
  return { job, state };
};
const metrics = { attempted: () => undefined } as unknown as WebhooksMetrics;

describe('deliverUpstreamRequest through a bearer target', () => {
  it('leaves the dead letter replayable when the renewal after a 401 fails (nothing was written)', async () => {
    const { job, state } = replayedJob();
    const bearer = {
      token: () => Promise.resolve('first-token'),
      fetch: () =>
        Promise.reject(
          new UpstreamError('UPSTREAM_UNAVAILABLE', TOKEN_ENDPOINT, 'token endpoint unreachable', {
            transient: true,
          }),
        ),
    } as unknown as ClientCredentials;
    await expect(
      deliverUpstreamRequest(job, state.data.upstreamRequest!, metrics, {
        'legacy-rest-adapter': {
          baseUrl: 'http://adapter.internal:4200',
          credential: { bearer },
          credentialHint: 'set WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET',
        },
      }),
    ).rejects.toThrow(/^not sent: no token for legacy-rest-adapter/);
    expect(state.data.replayedAt).toBeUndefined();
    expect(JSON.parse(state.log.at(-1) ?? '{}')).toMatchObject({
      attempt: 2,
      error: expect.stringMatching(/^not sent: no token/) as unknown,
    });
  });
});
