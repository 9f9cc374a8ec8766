// What the webhooks benchmarks share: a destination that counts what it is sent, and a webhooks
// file routing signed Stripe events to it.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

/** The variable the webhooks file names for the Stripe source's secret. */
export const STRIPE_SECRET_VARIABLE = 'BENCH_STRIPE_SECRET';

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
export function writeStripeToSinkFile(dir: string, sinkUrl: string): string {
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
