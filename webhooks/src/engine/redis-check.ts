import { ConfigError } from '@manifold/platform/config';
import { shownNode, type QueueRedis } from '@manifold/platform/dead-letters';
import { Cluster, Redis } from 'ioredis';

/** What the queue's Redis must be: nothing acknowledged may vanish (AOF) or be evicted (noeviction). */
export interface RedisDurability {
  /** `appendfsync`: `always` survives a power loss too; `everysec` a Redis crash, not a machine's. */
  appendfsync: string | undefined;
}

/** A field of an `INFO` answer (`name:value` lines), trimmed; undefined when absent. */
export const infoField = (info: string, name: string) =>
  new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/**
 * The oldest Redis the service runs on: an inbound event's receipt is claimed with `SET … NX GET`
 * (engine/claim-and-add.ts), which Redis accepts from 7.0 on (older ones answer a syntax error, and
 * every inbound event would be refused 503).
 */
export const MIN_REDIS_MAJOR = 7;

/** The problem with a Redis of this `redis_version` (INFO server), or undefined if it is recent enough. */
export function versionProblem(version: string | undefined, shown: string): string | undefined {
  const major = Number(/^(\d+)\./.exec(version ?? '')?.[1]);
  if (major >= MIN_REDIS_MAJOR) return undefined;
  return `WEBHOOKS_REDIS_URL: Redis at ${shown} is version ${version ?? 'unknown'}: the webhooks service needs ${MIN_REDIS_MAJOR}.0 or later`;
}

/**
 * Throws a ConfigError when what `INFO cluster` says of the Redis at `shown` disagrees with
 * WEBHOOKS_REDIS_CLUSTER (`cluster`): a Cluster node reached as a single server answers MOVED for
 * the queue's slot unless it holds it (every event refused); a Cluster client on a single server
 * waits for a slot map that never comes (the service would only say that nothing answered).
 */
function checkClusterSetting(clusterInfo: string, cluster: boolean, shown: string): void {
  const isNode = infoField(clusterInfo, 'cluster_enabled') === '1';
  if (isNode === cluster) return;
  throw new ConfigError([
    isNode
      ? `WEBHOOKS_REDIS_URL: Redis at ${shown} is a node of a Redis Cluster: set WEBHOOKS_REDIS_CLUSTER=true, so that the queue's clients follow the Cluster's slots`
      : `WEBHOOKS_REDIS_CLUSTER=true, but Redis at ${shown} is not a node of a Redis Cluster: unset WEBHOOKS_REDIS_CLUSTER, or point WEBHOOKS_REDIS_URL at a Cluster node`,
  ]);
}

/**
 * Refuses (ConfigError, the service does not start) a Redis that could lose or evict queued
 * events — AOF off, or a maxmemory-policy other than noeviction — or one older than 7.0; on a
 * Cluster, any node it knows, replicas too (a resharding may move the queue's slot to any master,
 * a failover promote any replica). Reads INFO (allowed where CONFIG is renamed away, as on managed
 * Redis); `appendfsync` only if CONFIG GET answers: the weakest of the nodes'. Whether the URL
 * agrees with the Cluster setting is the engine's `ready` to say (checkIsClusterNode,
 * checkNotClusterNode), before this runs.
 */
export async function checkQueueRedis(redis: QueueRedis, url: string): Promise<RedisDurability> {
  const nodes =
    redis instanceof Cluster
      ? redis.nodes('all').map((node) => ({
          node,
          shown: `${node.options.host ?? '?'}:${String(node.options.port ?? '?')}`,
        }))
      : [{ node: redis, shown: shownNode(url) }];
  if (nodes.length === 0)
    throw new ConfigError([
      `WEBHOOKS_REDIS_URL: the Redis Cluster at ${shownNode(url)} names no node: nothing holds the queue`,
    ]);
  const checked = await Promise.all(nodes.map(({ node, shown }) => checkNode(node, shown)));
  const problems = checked.flatMap((result) => result.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const fsyncs = checked.map((result) => result.appendfsync);
  return { appendfsync: fsyncs.find((mode) => mode !== 'always') ?? fsyncs[0] };
}

async function checkNode(
  redis: Redis,
  shown: string,
): Promise<{ problems: string[]; appendfsync: string | undefined }> {
  // INFO's default sections hold all it reads (server, memory, persistence): one round trip.
  const info = await readInfo(redis, shown);
  const problems: string[] = [];
  const version = versionProblem(infoField(info, 'redis_version'), shown);
  if (version !== undefined) problems.push(version);
  if (infoField(info, 'aof_enabled') !== '1')
    problems.push(
      `WEBHOOKS_REDIS_URL: Redis at ${shown} has AOF off: accepted events would be lost on a restart. Start it with --appendonly yes (or CONFIG SET appendonly yes), or point WEBHOOKS_REDIS_URL at one that has it`,
    );
  const policy = infoField(info, 'maxmemory_policy');
  if (policy !== 'noeviction')
    problems.push(
      `WEBHOOKS_REDIS_URL: Redis at ${shown} has maxmemory-policy ${policy ?? 'unknown'}: queued events could be evicted. Set --maxmemory-policy noeviction`,
    );
  if (problems.length > 0) return { problems, appendfsync: undefined };
  let appendfsync: string | undefined;
  try {
    const answer = await redis.config('GET', 'appendfsync');
    appendfsync = answer[1];
  } catch {
    appendfsync = undefined;
  }
  return { problems, appendfsync };
}

/**
 * Refuses (ConfigError) WEBHOOKS_REDIS_CLUSTER=true on a Redis that is no Cluster node
 * (checkClusterSetting), asked with a connection of its own before the Cluster client waits for
 * its slot map. An unreachable Redis passes: the wait then says that nothing answered.
 */
export async function checkIsClusterNode(url: string, timeoutMs: number): Promise<void> {
  const probe = new Redis(url, {
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  let info: string;
  try {
    info = await probe.info('cluster');
  } catch {
    return;
  } finally {
    probe.disconnect();
  }
  checkClusterSetting(info, true, shownNode(url));
}

/**
 * Refuses (ConfigError) a Cluster node reached as a single server, without WEBHOOKS_REDIS_CLUSTER
 * (checkClusterSetting), asked on the connection itself once it is up: otherwise the service
 * would refuse every event, and the CLI fail every command, with Redis's bare MOVED. A Redis that
 * refuses INFO (an ACL without `@dangerous`, the command renamed) is refused saying so: the
 * start-up check and BullMQ need it too, and it answered, so "no answer" would mislead.
 */
export async function checkNotClusterNode(redis: Redis, url: string): Promise<void> {
  const shown = shownNode(url);
  checkClusterSetting(await readInfo(redis, shown, 'cluster'), false, shown);
}

/**
 * `INFO` (or one `section`) of the node at `shown`; a refusal (an ACL without `@dangerous`, the
 * command renamed) is a ConfigError saying so — a single server's or any Cluster node's.
 */
async function readInfo(redis: Redis, shown: string, section?: string): Promise<string> {
  try {
    return section === undefined ? await redis.info() : await redis.info(section);
  } catch (error) {
    throw new ConfigError([
      `WEBHOOKS_REDIS_URL: Redis at ${shown} refused INFO (${error instanceof Error ? error.message : String(error)}): the webhooks service needs it to check the Redis it runs on`,
    ]);
  }
}

/**
 * How many replicas of the queue's Redis are in sync (INFO replication: `state=online`, not those
 * still loading their first copy), for WEBHOOKS_ACK_REPLICAS.
 */
export async function replicasInSync(redis: QueueRedis): Promise<number> {
  return (await redis.info('replication')).match(/^slave\d+:.*\bstate=online\b/gm)?.length ?? 0;
}
