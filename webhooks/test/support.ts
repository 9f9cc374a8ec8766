import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EdgeMiddleware } from '@manifold/platform/http';
import { freePort, silentLogger } from '@manifold/platform/testing';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { expect, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { nodeArgs } from '../../scripts/node-args.ts';
import type {
  FailureInjection,
  Sink as SaasSink,
  SinkName,
} from '../../upstreams/saas-sinks/src/sinks.ts';
import { createApp } from '../src/app.ts';
import { createDeadLetters, type DeadLetters } from '../src/dead-letters/dead-letters.ts';
import {
  createDestinationStates,
  type DestinationStates,
} from '../src/delivery/destination-states.ts';
import type { ReplayTargets } from '../src/delivery/replay-targets.ts';
import { createEngine, type Engine } from '../src/engine/queues.ts';
import { startWorkers, type Workers } from '../src/engine/workers.ts';
import { createFanOut } from '../src/delivery/fan-out.ts';
import { createReceiver } from '../src/inbound/receiver.ts';
import { createWebhooksMetrics } from '../src/metrics.ts';
import { recordEndpointDisabled } from '../src/outbound/disabled-event.ts';
import {
  createEndpointStates,
  type DisableRule,
  type EndpointStates,
} from '../src/outbound/endpoint-states.ts';
import { createEndpoints } from '../src/outbound/endpoints.ts';
import { createOrderKeys } from '../src/settings/order-keys.ts';
import { createRouter } from '../src/settings/routing.ts';
import { loadWebhooksFile } from '../src/settings/webhooks-file.ts';
import { createSources } from '../src/sources.ts';

/**
 * A generic HMAC source as signers.ts's `sign.hmac` signs (`sha256=` prefix, the timestamp in
 * `x-timestamp`), its secret in the variable PARTNER_SECRET.
 */
export const partnerSource = {
  scheme: 'hmac',
  secrets: ['PARTNER_SECRET'],
  prefix: 'sha256=',
  timestampHeader: 'x-timestamp',
};

/** A destination of the committed deploy/webhooks.yaml, as operators get it (its transform under test). */
export function referenceDestination(name: string): Record<string, unknown> {
  const file = parse(
    readFileSync(fileURLToPath(new URL('../../deploy/webhooks.yaml', import.meta.url)), 'utf8'),
  ) as { destinations: Record<string, Record<string, unknown>> };
  const destination = file.destinations[name];
  if (!destination) throw new Error(`deploy/webhooks.yaml has no destination ${name}`);
  return destination;
}

/** Waits until the delivery of the sender's event `eventId` is in `state`, and returns its job id. */
export async function deliveryOf(
  webhooks: TestWebhooks,
  eventId: string,
  state: 'completed' | 'failed',
): Promise<string> {
  let id = '';
  await vi.waitFor(
    async () => {
      const jobs = await webhooks.engine.deliveries.getJobs([state]);
      const job = jobs.find((candidate) => candidate.data.eventId === eventId);
      if (job?.id === undefined) throw new Error(`no ${state} delivery of ${eventId} yet`);
      id = job.id;
    },
    { timeout: 15_000, interval: 50 },
  );
  return id;
}

/** Writes a webhooks file (as deploy/webhooks.yaml would be) to a temporary directory. */
export function writeWebhooksFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'webhooks-file-')), 'webhooks.yaml');
  writeFileSync(path, stringify(content));
  return path;
}

export interface TestWebhooks {
  url: string;
  /** The webhooks file it runs with: a CLI or worker process given it sees the same settings. */
  file: string;
  engine: Engine;
  deadLetters: DeadLetters;
  endpointStates: EndpointStates;
  destinationStates: DestinationStates;
  /** Starts the delivery workers in this process (not started by default). */
  startWorkers: () => Workers;
  post: (
    source: string,
    request: { headers: Record<string, string>; body: string },
  ) => Promise<Response>;
  close: () => Promise<void>;
}

export interface StartOptions {
  redisUrl: string;
  /** `redisUrl` names a node of a Redis Cluster. @default false */
  cluster?: boolean;
  /** The queue's key prefix. @default a hash tag of its own */
  prefix?: string;
  /** The webhooks file's content. */
  file: unknown;
  /** Variables the file's secrets name. */
  secrets: Record<string, string>;
  /** Retry delay caps (ms). @default [20, 40, 80] */
  schedule?: number[];
  lockMs?: number;
  edge?: EdgeMiddleware[];
  /** When a registered endpoint is disabled. @default 20 dead letters in a row, or 120 h */
  disableRule?: DisableRule;
  /** The endpoint states' clock (ms since epoch), so a test can let days pass. @default Date.now */
  now?: () => number;
  /** Services whose recorded requests are replayed through them (the legacy adapter). */
  replayTargets?: ReplayTargets;
}

/**
 * The webhooks app on a port of its own, on real Redis, under a queue prefix of its own (tests
 * sharing one Redis never see each other's jobs).
 */
export async function startWebhooks({
  redisUrl,
  cluster = false,
  prefix = `{webhooks-test-${randomUUID()}}`,
  file,
  secrets,
  schedule = [20, 40, 80],
  lockMs = 30_000,
  edge = [],
  disableRule = { afterDeadLetters: 20, afterMs: 120 * 3_600_000 },
  now = Date.now,
  replayTargets,
}: StartOptions): Promise<TestWebhooks> {
  const logger = silentLogger();
  const path = writeWebhooksFile(file);
  const settings = loadWebhooksFile(path, secrets);
  const engine = createEngine({ url: redisUrl, prefix, cluster });
  await engine.ready(10_000);
  const endpoints = createEndpoints(settings.endpoints, secrets);
  const fanOut = createFanOut({
    route: createRouter(settings.routes),
    deliveries: engine.deliveries,
    redis: engine.redis,
    prefix: engine.prefix,
    attempts: schedule.length + 1,
    dedupeSeconds: 3_600,
    orderKeys: createOrderKeys(settings.routes),
  });
  const endpointStates = createEndpointStates({
    redis: engine.redis,
    prefix: engine.prefix,
    names: [...endpoints.keys()],
    rule: disableRule,
    now,
    onDisabled: async (state) => {
      metrics.endpointDisabled(state.name);
      await recordEndpointDisabled(
        fanOut,
        settings.endpoints[state.name]?.source ?? 'manifold',
        state,
      );
    },
  });
  const destinationStates = createDestinationStates({
    redis: engine.redis,
    prefix: engine.prefix,
    destinations: settings.destinations,
  });
  const metrics = createWebhooksMetrics({
    deadLetters: engine.deliveries,
    endpointStates,
    destinationStates,
  });
  const deadLetters = createDeadLetters(engine);
  const app = createApp({
    receive: createReceiver({
      sources: createSources(settings.sources, secrets, logger),
      fanOut,
      metrics,
      logger,
    }),
    deadLetters,
    endpoints: endpointStates,
    destinations: destinationStates,
    logger,
    production: true,
    health: async () => ({ failed: await engine.deliveries.getFailedCount() }),
    storeReady: () => engine.redis.status === 'ready',
    edge,
  });
  const server: Server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}`;
  const running: Workers[] = [];
  return {
    url,
    file: path,
    engine,
    deadLetters,
    endpointStates,
    destinationStates,
    startWorkers: () => {
      const workers = startWorkers({
        engine,
        ordered: true,
        destinationStates,
        destinations: settings.destinations,
        endpoints,
        endpointStates,
        replayTargets,
        schedule,
        maxRetryAfterMs: 60_000,
        concurrency: 50,
        lockMs,
        metrics,
        logger,
      });
      running.push(workers);
      return workers;
    },
    post: (source, { headers, body }) =>
      fetch(`${url}/hooks/${source}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
    close: async () => {
      await Promise.all(running.map((workers) => workers.close()));
      metrics.dispose();
      await engine.deliveries.obliterate({ force: true }).catch(() => undefined);
      await engine.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A destination: what it answers to each request, by Idempotency-Key and attempt at that key. */
export type SinkAnswer = (request: {
  key: string;
  attempt: number;
  body: string;
}) => { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

export interface Sink {
  url: string;
  /** Requests received per Idempotency-Key. */
  requests: Map<string, number>;
  /** Requests received in all. */
  sent: () => number;
  /** Keys whose effect was applied (the first request with the key that it accepted). */
  effects: Set<string>;
  /**
   * Requests per key that came after its effect was applied: answered 200, applied nothing. A
   * destination that does not honour Idempotency-Key would have applied each one again.
   */
  repeats: Map<string, number>;
  /** When each request per key arrived (ms since epoch). */
  arrivals: Map<string, number[]>;
  /** Every request as it arrived: headers and body (a subscriber verifies signatures on these). */
  received: { headers: IncomingHttpHeaders; body: string }[];
  answer: { current: SinkAnswer };
  close: () => Promise<void>;
}

/**
 * A destination honouring Idempotency-Key as the reference sinks do: the first request
 * with a key that it accepts (2xx) applies the effect; any later one with that key answers 200
 * and applies nothing.
 */
export async function startSink(answer: SinkAnswer): Promise<Sink> {
  const requests = new Map<string, number>();
  const effects = new Set<string>();
  const repeats = new Map<string, number>();
  const arrivals = new Map<string, number[]>();
  const received: Sink['received'] = [];
  const state = { current: answer };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      const attempt = (requests.get(key) ?? 0) + 1;
      requests.set(key, attempt);
      arrivals.set(key, [...(arrivals.get(key) ?? []), Date.now()]);
      received.push({ headers: req.headers, body });
      if (effects.has(key)) {
        repeats.set(key, (repeats.get(key) ?? 0) + 1);
        res.writeHead(200).end('already done');
        return;
      }
      const decided = state.current({ key, attempt, body });
      if (decided === 'hang') {
        // Applied, but the answer never leaves (the caller dies waiting for it).
        effects.add(key);
        return;
      }
      if (decided.status < 300) effects.add(key);
      const send = () =>
        res.writeHead(decided.status, decided.headers).end(`status ${decided.status}`);
      // Applied now; with `delayMs`, answered that much later (a slow destination: the delivery
      // is in flight meanwhile).
      if (decided.delayMs === undefined) send();
      else setTimeout(send, decided.delayMs);
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/events`,
    requests,
    sent: () => [...requests.values()].reduce((sum, count) => sum + count, 0),
    effects,
    repeats,
    arrivals,
    received,
    answer: state,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** What a saas-sinks sink says of itself (`GET /<sink>/effects`). */
export type SaasSinkReport = ReturnType<SaasSink['report']>;

export interface SaasSinks {
  /** Where it listens: its sinks are `/crm/events`, `/chat/hooks`, `/accounting/events`. */
  url: string;
  report: (sink: SinkName) => Promise<SaasSinkReport>;
  /** `PUT /admin/failures`: a sink's (or every sink's) failure injection and rate limit. */
  misbehave: (
    injection: Partial<FailureInjection> & { sink?: SinkName; ratePerSecond?: number },
  ) => Promise<void>;
  stop: () => void;
}

/**
 * The reference destinations (upstreams/saas-sinks) as `npm start` runs them: a process of their
 * own, with their own idempotency, rate limits, failure injection and counts.
 */
export async function startSaasSinks(env: Record<string, string> = {}): Promise<SaasSinks> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, nodeArgs('upstreams/saas-sinks/src/main.ts'), {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    // Its injected 503s would each log an error: noise here.
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'fatal', PORT: String(port), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  try {
    await vi.waitFor(
      async () => {
        expect(child.exitCode, 'saas-sinks exited').toBeNull();
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
      },
      { timeout: 30_000, interval: 100 },
    );
  } catch (error) {
    stop();
    throw error;
  }
  return {
    url,
    report: async (sink) =>
      (await (await fetch(`${url}/${sink}/effects`)).json()) as SaasSinkReport,
    misbehave: async (injection) => {
      const response = await fetch(`${url}/admin/failures`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(injection),
      });
      if (!response.ok) throw new Error(`saas-sinks refused ${JSON.stringify(injection)}`);
    },
    stop,
  };
}

/**
 * The URL of a user added (through `admin`) to the Redis at `url`, allowed every command but
 * `denied`: how a managed Redis's ACL may leave a command out.
 */
export async function urlOfUserWithout(
  admin: Pick<Redis, 'call'>,
  url: string,
  denied: string,
): Promise<string> {
  const user = `no-${denied}-${randomUUID()}`;
  await admin.call('ACL', 'SETUSER', user, 'on', '>pw', '~*', '&*', '+@all', `-${denied}`);
  const withUser = new URL(url);
  withUser.username = user;
  withUser.password = 'pw';
  return withUser.toString();
}
