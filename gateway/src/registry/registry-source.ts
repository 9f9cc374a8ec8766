import { setTimeout as sleep } from 'node:timers/promises';
import type { Secret } from '@manifold/platform/auth';
import { ConfigError } from '@manifold/platform/config';
import { createRepeatedFailureLog, type Logger } from '@manifold/platform/logging';
import { manifoldMeter } from '@manifold/platform/telemetry';
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { parseSupergraph, type Supergraph } from '../supergraph.ts';
import type { SupergraphSource } from '../supergraph-swap.ts';
import { readLastGood, saveLastGood } from './last-good.ts';
import { fetchSupergraph, type RegistryVersion } from './registry-client.ts';

export interface RegistrySourceOptions {
  /** The registry's base URL (SUPERGRAPH_SOURCE). */
  registryUrl: string;
  /** API key with scope `registry:read`; unset when the registry's reads are public. */
  apiKey?: Secret | undefined;
  /** Where the last version that loaded is kept (SUPERGRAPH_LAST_GOOD_PATH). */
  lastGoodPath: string;
  /** `SUBGRAPH_<NAME>_URL` overrides, applied to every version. @default none */
  overrides?: ReadonlyMap<string, string>;
  logger: Logger;
  /** How long the registry may hold one poll until a new version exists (its maximum is 30). @default 25 */
  waitSeconds?: number;
  /**
   * Least time between two polls: a registry (or a proxy in front of it) that answers 304 at
   * once, without holding the request, is polled this often instead of in a tight loop.
   * @default 1000 (1 s: a new version still arrives within the 5 s promised)
   */
  minPollIntervalMs?: number;
  /** Longest wait for the first version at start-up, before falling back to the last good copy. @default 5000 */
  startupTimeoutMs?: number;
  /** Backoff between failed polls. @default 1 s growing to 10 s, with jitter */
  backoff?: { initialDelayMs: number; maxDelayMs: number };
}

/** `manifold.gateway.supergraph.updates{outcome: loaded | refused}`: versions the gateway took or refused. */
function createUpdateCounter() {
  const counter = manifoldMeter().createCounter('manifold.gateway.supergraph.updates', {
    description: 'Supergraph versions from the registry the gateway loaded or refused.',
  });
  return (outcome: 'loaded' | 'refused') => {
    counter.add(1, { outcome });
  };
}

/**
 * Follows the schema registry (registry/CONTRACT.md, "Supergraph delivery"): one long-poll at a
 * time, `GET /supergraph` with the version it knows as `If-None-Match` and `Prefer: wait`, so a
 * new version arrives as soon as it is published. Each new version is offered to the gateway
 * once; a refused one is remembered (and counted, and shown by /readyz) and the source waits for
 * the next. A version that loaded is kept on disk, to start from when the registry is down.
 */
export function registrySupergraphSource({
  registryUrl,
  apiKey,
  lastGoodPath,
  overrides = new Map(),
  logger,
  waitSeconds = 25,
  minPollIntervalMs = 1_000,
  startupTimeoutMs = 5_000,
  backoff = { initialDelayMs: 1_000, maxDelayMs: 10_000 },
}: RegistrySourceOptions): SupergraphSource {
  const log = logger.child({ registry: registryUrl });
  const stopping = new AbortController();
  const stopped = () => stopping.signal.aborted;
  const countUpdate = createUpdateCounter();
  const unreachable = createRepeatedFailureLog(log, {
    message: 'the schema registry cannot be reached; serving the supergraph the gateway has',
  });
  /** The version the registry last gave us, served or refused: the next poll waits for another. */
  let known: string | undefined;
  let refused: { version: string; reason: string; at: string } | undefined;
  let loop: Promise<void> | undefined;

  const toSupergraph = ({ version, sdl }: RegistryVersion): Supergraph =>
    parseSupergraph(sdl, {
      overrides,
      origin: `registry version ${version}`,
      strictOverrides: false,
      version,
    });

  const refuse = (version: string, error: unknown) => {
    const reason = error instanceof ConfigError ? error.problems.join('; ') : String(error);
    refused = { version, reason, at: new Date().toISOString() };
    countUpdate('refused');
    log.error(
      { version, reason },
      'refused a supergraph version that does not load; still serving the previous one',
    );
  };

  const keep = async (version: RegistryVersion) => {
    try {
      await saveLastGood(lastGoodPath, version);
    } catch (error) {
      log.warn({ err: error, path: lastGoodPath }, 'cannot keep the last good supergraph on disk');
    }
  };

  async function follow(offer: (next: Supergraph) => Promise<void>): Promise<void> {
    let delay: IBackoff<unknown> | undefined;
    const factory = new ExponentialBackoff({
      initialDelay: backoff.initialDelayMs,
      maxDelay: backoff.maxDelayMs,
    });
    while (!stopped()) {
      const started = Date.now();
      try {
        const answer = await fetchSupergraph({
          registryUrl,
          apiKey,
          known,
          waitSeconds,
          // A held request answers within `waitSeconds`; a connection silent for longer is dead.
          signal: AbortSignal.any([
            stopping.signal,
            AbortSignal.timeout((waitSeconds + 10) * 1_000),
          ]),
        });
        delay = undefined;
        unreachable.recovered();
        if (answer.kind === 'unchanged') {
          const elapsed = Date.now() - started;
          if (elapsed < minPollIntervalMs)
            await sleep(minPollIntervalMs - elapsed, undefined, { signal: stopping.signal });
          continue;
        }
        const { version } = answer;
        known = version.version;
        try {
          await offer(toSupergraph(version));
        } catch (error) {
          refuse(version.version, error);
          continue;
        }
        countUpdate('loaded');
        refused = undefined;
        await keep(version);
      } catch (error) {
        if (stopped()) break;
        unreachable.failed(error);
        delay = delay ? delay.next(undefined) : factory.next();
        await sleep(delay.duration, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  return {
    initial: async (check) => {
      try {
        const answer = await fetchSupergraph({
          registryUrl,
          apiKey,
          signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(startupTimeoutMs)]),
        });
        if (answer.kind === 'version') {
          // Even if it is refused: the poll then waits for the next version, not this one again.
          known = answer.version.version;
          try {
            const candidate = toSupergraph(answer.version);
            await check(candidate);
            countUpdate('loaded');
            await keep(answer.version);
            return candidate;
          } catch (error) {
            refuse(answer.version.version, error);
          }
        }
      } catch (error) {
        log.warn({ err: error }, 'the schema registry cannot be reached at start-up');
      }
      const lastGood = await readLastGood(lastGoodPath);
      if (lastGood) {
        try {
          const candidate = toSupergraph(lastGood);
          await check(candidate);
          // Registry unreachable: the first poll then asks whether this is still current.
          known ??= lastGood.version;
          log.warn(
            { version: lastGood.version, path: lastGoodPath },
            'serving the last good supergraph kept on disk until the registry has a version that loads',
          );
          return candidate;
        } catch (error) {
          log.error({ err: error, path: lastGoodPath }, 'the last good supergraph does not load');
        }
      }
      throw new ConfigError([
        `SUPERGRAPH_SOURCE: no supergraph to serve: the registry at ${registryUrl} gave none that loads, and ${lastGoodPath} (SUPERGRAPH_LAST_GOOD_PATH) has none either`,
      ]);
    },
    follow: (offer) => {
      loop ??= follow(offer);
    },
    status: () => (refused ? { refused } : {}),
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
