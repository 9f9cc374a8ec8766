import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { Redis } from 'ioredis';
import fc from 'fast-check';
import type { FuzzEdge } from './edges.ts';
import { invariantViolations, type Answer } from './harness.ts';
import { openApiFuzz } from './openapi-edge.ts';
import type { RestRequestCase } from './rest-requests.ts';
import {
  deliveryRequest,
  mustAccept,
  mustRefuse,
  WEBHOOK_SOURCES,
  webhookDeliveries,
  type WebhookDelivery,
} from './webhook-deliveries.ts';
import { e2eAccess } from '../e2e/support/access.ts';
import { freePort, startService, type ServiceProcess } from '../e2e/support/processes.ts';

/** A call of the REST API (dead letters, and /hooks as its document describes it), or a delivery as senders make them. */
export type WebhooksInput = { api: RestRequestCase } | { delivery: WebhookDelivery };

/** An answer, and how many events the request stored (their receipts, after minus before). */
type CountedAnswer = Answer & { stored: number };

/**
 * Where the service keeps each accepted event's receipt, one key per event, routed or not
 * (webhooks/src/delivery/fan-out.ts `receiptKey`, under the default queue prefix).
 */
const RECEIPTS = '{webhooks}:receipts:*';

/** Why an answer to a delivery breaks what a webhook receiver owes its senders. */
function deliveryViolations(input: WebhooksInput, answer: CountedAnswer): string[] {
  const problems: string[] = [];
  // Acknowledged = stored, and nothing else stores: a refusal or a duplicate leaves no event.
  if (answer.status === 202 && answer.stored !== 1)
    problems.push(`202 with ${String(answer.stored)} events stored`);
  if (answer.status !== 202 && answer.stored !== 0)
    problems.push(`${String(answer.status)}, yet ${String(answer.stored)} events stored`);
  if (!('delivery' in input)) return problems;
  if (mustRefuse(input.delivery) && (answer.status < 400 || answer.status >= 500))
    problems.push(`a delivery that must be refused answered ${String(answer.status)}`);
  // A sender's intact request: stored (202), a retry (200), or its id reused with another body (409).
  if (mustAccept(input.delivery) && ![200, 202, 409].includes(answer.status))
    problems.push(
      `an intact delivery answered ${String(answer.status)}: ${answer.body.slice(0, 200)}`,
    );
  return problems;
}

/**
 * The webhooks service as a process in production mode with deploy/webhooks.yaml as shipped
 * (its five sources' secrets set, its destinations a port nobody listens on, so deliveries fail
 * and become dead letters the API then lists and replays), on a private Redis with AOF as it
 * requires, workers in the process. Fuzzed from its own /openapi.json (credentials for /api) and
 * with inbound deliveries of every scheme, intact and hostile; every answer is checked against
 * the document, and against the events' receipts: a refused delivery stores nothing.
 */
export const webhooksEdge: FuzzEdge<WebhooksInput> = {
  name: 'webhooks',
  ciRuns: 400,
  clientSideOnly: true,
  start: async () => {
    const access = e2eAccess(['webhooks:read', 'webhooks:replay']);
    const credentials = { 'x-api-key': access.key };
    let redis: RedisServer | undefined;
    let service: ServiceProcess | undefined;
    let connection: Redis | undefined;
    const stop = async () => {
      connection?.disconnect();
      await service?.stop();
      await redis?.stop();
    };
    try {
      redis = await startRedisServer({
        appendOnlyDir: mkdtempSync(join(tmpdir(), 'fuzz-webhooks-aof-')),
      });
      const nowhere = `http://127.0.0.1:${String(await freePort())}`;
      service = await startService({
        name: 'webhooks',
        entry: 'webhooks/src/main.ts',
        port: await freePort(),
        env: {
          NODE_ENV: 'production',
          ACCESS_FILE: access.ACCESS_FILE,
          WEBHOOKS_REDIS_URL: redis.url,
          // One quick retry, then a dead letter: the API has dead letters to list and replay.
          WEBHOOKS_RETRY_SCHEDULE: '5ms',
          WEBHOOKS_CRM_URL: `${nowhere}/crm`,
          WEBHOOKS_CHAT_URL: `${nowhere}/chat`,
          WEBHOOKS_ACCOUNTING_URL: `${nowhere}/accounting`,
          ...Object.fromEntries(
            Object.values(WEBHOOK_SOURCES).map(({ variable, secret }) => [variable, secret]),
          ),
        },
        readyPath: '/healthz',
      });
      const url = service.url;
      connection = new Redis(redis.url, { maxRetriesPerRequest: null });
      const redisClient = connection;
      // A private Redis holding a few hundred keys: KEYS is fine here.
      const stored = async () => (await redisClient.keys(RECEIPTS)).length;
      const api = await openApiFuzz(url, credentials);
      const counted = async (send: () => Promise<Answer>): Promise<CountedAnswer> => {
        const before = await stored();
        const answer = await send();
        return { ...answer, stored: (await stored()) - before };
      };
      const deliver = async (delivery: WebhookDelivery): Promise<Answer> => {
        const request = deliveryRequest(delivery, Math.floor(Date.now() / 1000));
        const response = await fetch(`${url}${request.path}`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        return {
          status: response.status,
          contentType: response.headers.get('content-type') ?? '',
          body: await response.text(),
        };
      };
      const send = (input: WebhooksInput) =>
        counted(() => ('api' in input ? api.send(input.api) : deliver(input.delivery)));
      return {
        arbitrary: fc.oneof(
          {
            weight: 1,
            arbitrary: api.arbitrary.map((request): WebhooksInput => ({ api: request })),
          },
          {
            weight: 2,
            arbitrary: webhookDeliveries.map((delivery): WebhooksInput => ({ delivery })),
          },
        ),
        send,
        check: (input, answer) => [
          ...('api' in input
            ? api.check(input.api, answer)
            : [
                ...invariantViolations(answer),
                ...(answer.status < 500
                  ? api.conforms('post', deliveryRequest(input.delivery, 0).path, answer)
                  : []),
              ]),
          ...deliveryViolations(input, answer as CountedAnswer),
        ],
        processes: [{ name: 'webhooks', pid: service.child.pid ?? 0, baseUrl: url }],
        // Every source's intact delivery, a refusal of each, and each API route once.
        warmUp: async () => {
          for (const source of Object.keys(WEBHOOK_SOURCES))
            for (const signature of [{ kind: 'valid' as const }, { kind: 'missing' as const }])
              await deliver({
                source,
                event: { id: `warm-${source}`, type: 'invoice.paid', n: 0 },
                body: { kind: 'event' },
                timestamp: { kind: 'offset', seconds: 0 },
                signature,
                headerEdit: null,
                contentType: 'application/json',
                contentEncoding: undefined,
              });
          for (const path of ['/api/v1/dead-letters', '/api/v1/dead-letters/nope'])
            await fetch(`${url}${path}`, { headers: credentials }).then((r) => r.arrayBuffer());
          await fetch(`${url}/api/v1/dead-letters/replay`, {
            method: 'POST',
            headers: { ...credentials, 'content-type': 'application/json' },
            body: '{}',
          }).then((r) => r.arrayBuffer());
        },
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  },
};
