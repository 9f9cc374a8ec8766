// What the webhooks benchmarks share: a destination that counts what it is sent, a webhooks file
// routing signed Stripe events to it, and the service accepting them with its workers off.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { CommandWrapper } from '@manifold/platform/testing';
import { freePort, startService, type ServiceProcess } from '../../test/e2e/support/processes.ts';
import type { SignedStripeEvent } from './stripe-events.ts';

/** The variable the webhooks file names for the Stripe source's secret. */
const STRIPE_SECRET_VARIABLE = 'BENCH_STRIPE_SECRET';

export interface CountingSink {
  url: string;
  /** Requests answered 200 since start (or since the caller reset it). */
  received: { count: number };
  close: () => Promise<void>;
}

/** A destination answering 200 to every request once its body is read, counting them. */
export async function startCountingSink(): Promise<CountingSink> {
  const received = { count: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.count++;
      res.writeHead(200).end();
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no sink port');
  return {
    url: `http://127.0.0.1:${address.port}/events`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/** A webhooks file in `dir`: source `stripe` (secret from STRIPE_SECRET_VARIABLE), one route to `sinkUrl`. */
function writeStripeToSinkFile(dir: string, sinkUrl: string): string {
  const path = join(dir, 'webhooks.yaml');
  writeFileSync(
    path,
    `sources:
  stripe: { scheme: stripe, secrets: [${STRIPE_SECRET_VARIABLE}] }
destinations:
  sink: { url: '${sinkUrl}' }
routes:
  - { source: stripe, to: [sink] }
`,
  );
  return path;
}

export interface AcceptingWebhooksOptions {
  /** Where the webhooks file is written. */
  dir: string;
  redisUrl: string;
  sinkUrl: string;
  /** The queue's key prefix. */
  prefix: string;
  /** The Stripe source's signing secret (what `nextEvent` signs with). */
  secret: string;
  nextEvent: () => SignedStripeEvent;
  /** More of the environment, for the service and for a worker process. */
  env?: Record<string, string>;
  /** NODE_OPTIONS for the service alone (e.g. a CPU profile). */
  serviceNodeOptions?: string | undefined;
  wrapCommand?: CommandWrapper;
}

export interface AcceptingWebhooks {
  /** The environment a worker process for the same queue runs with. */
  env: Record<string, string>;
  service: ServiceProcess;
  /** POSTs the next signed event; fails unless it was accepted (202). */
  acceptOne: () => Promise<void>;
}

/** The webhooks service with its workers off — it accepts and stores, and delivers nothing — ready. */
export async function startAcceptingWebhooks({
  dir,
  redisUrl,
  sinkUrl,
  prefix,
  secret,
  nextEvent,
  env: more = {},
  serviceNodeOptions,
  wrapCommand,
}: AcceptingWebhooksOptions): Promise<AcceptingWebhooks> {
  const env = {
    WEBHOOKS_REDIS_URL: redisUrl,
    WEBHOOKS_FILE: writeStripeToSinkFile(dir, sinkUrl),
    WEBHOOKS_QUEUE_PREFIX: prefix,
    [STRIPE_SECRET_VARIABLE]: secret,
    LOG_LEVEL: 'error',
    NODE_ENV: 'production',
    ...more,
  };
  const service = await startService({
    name: 'webhooks',
    entry: 'webhooks/src/main.ts',
    port: await freePort(),
    env: {
      ...env,
      WEBHOOKS_WORKERS: 'false',
      ...(serviceNodeOptions ? { NODE_OPTIONS: serviceNodeOptions } : {}),
    },
    readyPath: '/healthz',
    ...(wrapCommand && { wrapCommand }),
  });
  const acceptOne = async () => {
    const { body, headers } = nextEvent();
    const response = await fetch(`${service.url}/hooks/stripe`, { method: 'POST', headers, body });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
  };
  return { env, service, acceptOne };
}
