// `npm run webhooks -- <command>`: the dead-letter queue from a terminal, straight on the queue's
// Redis (WEBHOOKS_REDIS_URL, else REDIS_URL) — what the REST API does, for on-call without a key.
//   dead-letters list [filters] [--limit n] [--cursor c]
//   dead-letters show <id>
//   dead-letters replay <id>
//   dead-letters replay --all [filters] [--send]   (a dry run unless --send, as the API's default)
//   endpoints list
//   endpoints enable <name>
//   destinations list
//   destinations resume <name>
// filters: --source s --event-type t --destination d --from <ISO> --to <ISO> --error <text>
import { parseArgs } from 'node:util';
import { ConfigError, loadEnv } from '@manifold/platform/config';
import { DeadLetterFilter } from '@manifold/platform/contracts';
import { parseInput } from '@manifold/platform/errors';
import { queueRedisUrl, WebhooksEnv } from './config.ts';
import { createDeadLetters } from './dead-letters/dead-letters.ts';
import { createDestinationStates } from './delivery/destination-states.ts';
import { createEngine, type Engine } from './engine/queues.ts';
import { createEndpointStates } from './outbound/endpoint-states.ts';
import { loadWebhooksFile } from './settings/webhooks-file.ts';

const USAGE = `usage: npm run webhooks -- dead-letters list [filters] [--limit n] [--cursor c]
       npm run webhooks -- dead-letters show <id>
       npm run webhooks -- dead-letters replay <id>
       npm run webhooks -- dead-letters replay --all [filters] [--send]
       npm run webhooks -- endpoints list
       npm run webhooks -- endpoints enable <name>
       npm run webhooks -- destinations list
       npm run webhooks -- destinations resume <name>
filters: --source <s> --event-type <t> --destination <d> --from <ISO 8601> --to <ISO 8601> --error <text>
--all is a dry run (how many, which go first) unless --send: review it, then send the same filter`;

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    source: { type: 'string' },
    'event-type': { type: 'string' },
    destination: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    error: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    all: { type: 'boolean', default: false },
    // A bulk replay sends only when told to: a dry run by default, as the API's (--dry-run says so).
    'dry-run': { type: 'boolean', default: false },
    send: { type: 'boolean', default: false },
  },
});

const [group, command, id] = positionals;
if (!['dead-letters', 'endpoints', 'destinations'].includes(group ?? '') || command === undefined)
  fail(USAGE);
// A bulk replay's flags, checked before connecting: a usage mistake needs no Redis.
if (values.send && values['dry-run']) fail('--send and --dry-run: choose one');
if (
  (values.send || values['dry-run']) &&
  !(group === 'dead-letters' && command === 'replay' && values.all)
)
  // One letter is replayed as asked; a flag meant for a bulk replay must not look like a dry run.
  fail('--send and --dry-run are for a bulk replay (`dead-letters replay --all`)');

let env: WebhooksEnv;
try {
  env = loadEnv(WebhooksEnv);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
const url = queueRedisUrl(env);
if (url === undefined) fail('Set WEBHOOKS_REDIS_URL (or REDIS_URL): the queue’s Redis');
let engine: Engine;
try {
  engine = createEngine({
    url,
    prefix: env.WEBHOOKS_QUEUE_PREFIX,
    cluster: env.WEBHOOKS_REDIS_CLUSTER,
  });
} catch (error) {
  // A Cluster URL with a database or options: said as any configuration problem.
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
const deadLetters = createDeadLetters(engine);
/** The endpoints' states, as the service keeps them (the CLI never disables one: no rule, no event). */
const endpointStates = () =>
  createEndpointStates({
    redis: engine.redis,
    prefix: engine.prefix,
    names: Object.keys(loadWebhooksFile(env.WEBHOOKS_FILE, process.env).endpoints),
    rule: { afterDeadLetters: Infinity, afterMs: Infinity },
    onDisabled: () => Promise.resolve(),
  });
/** The destinations' states, as the workers keep them. */
const destinationStates = () =>
  createDestinationStates({
    redis: engine.redis,
    prefix: engine.prefix,
    destinations: loadWebhooksFile(env.WEBHOOKS_FILE, process.env).destinations,
  });
const filter = (): DeadLetterFilter =>
  parseInput(DeadLetterFilter, {
    source: values.source,
    eventType: values['event-type'],
    destination: values.destination,
    from: values.from,
    to: values.to,
    error: values.error,
  });

try {
  await engine.ready(10_000);
  switch (group === 'dead-letters' ? command : `${group} ${command}`) {
    case 'destinations list':
      print(await destinationStates().list());
      break;
    case 'destinations resume':
      print(await destinationStates().resume(id ?? fail(USAGE)));
      break;
    case 'endpoints list':
      print(await endpointStates().list());
      break;
    case 'endpoints enable':
      print(await endpointStates().enable(id ?? fail(USAGE)));
      break;
    case 'list':
      print(
        await deadLetters.list(filter(), {
          limit: values.limit === undefined ? 100 : Number(values.limit),
          cursor: values.cursor,
        }),
      );
      break;
    case 'show':
      print(await deadLetters.get(id ?? fail(USAGE)));
      break;
    case 'replay':
      if (values.all) {
        const outcome = await deadLetters.replayMatching(filter(), { dryRun: !values.send });
        print(outcome);
        const sendable = outcome.matched - (outcome.held ?? 0);
        if (outcome.dryRun)
          process.stderr.write(
            sendable === 0
              ? 'Dry run: nothing would be sent.\n'
              : `Dry run: nothing sent. ${String(sendable)} would be; add --send to replay them.\n`,
          );
      } else print(await deadLetters.replay(id ?? fail(USAGE)));
      break;
    default:
      fail(USAGE);
  }
} catch (error) {
  // A configuration problem found on the way (the Cluster setting, engine.ready): exit 2, as
  // those found before connecting are.
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  } else {
    reportFailure(error);
    process.exitCode = 1;
  }
} finally {
  await engine.close();
}

/** A command that failed (a name or id it does not know, Redis away): its code first, exit 1. */
function reportFailure(error: unknown): void {
  const code = (error as { code?: unknown }).code;
  const errors = (error as { errors?: unknown }).errors;
  process.stderr.write(
    `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}${Array.isArray(errors) && errors.length > 0 ? `\n${JSON.stringify(errors)}` : ''}\n`,
  );
}
