import { hostname } from 'node:os';
import { API_KEY_HEADER, type Secret } from '@manifold/platform/auth';
import { createRepeatedFailureLog, type Logger } from '@manifold/platform/logging';
import type { UsageBuffer, UsageEntry } from './usage-buffer.ts';

/** The registry takes at most this many entries per request (registry/CONTRACT.md). */
const MAX_ENTRIES_PER_REPORT = 5_000;

export interface UsageReporterOptions {
  /** The registry's base URL; reports go to `POST /usage`. */
  registryUrl: string;
  /** API key with scope `registry:report`. */
  apiKey?: Secret | undefined;
  buffer: UsageBuffer;
  /** How often the buffer is sent. */
  intervalMs: number;
  /** Longest wait for one report. @default 10000 */
  timeoutMs?: number;
  logger: Logger;
  /** Entries the registry accepted. */
  onReported: (entries: number) => void;
  /** Executions lost because the registry refused their report (a 4xx: it will refuse it again). */
  onRejected: (executions: number) => void;
}

class Rejected extends Error {
  override name = 'Rejected';
}

/**
 * Sends the buffer to the registry every `intervalMs`, in the background (the timer does not keep
 * the process alive), one report at a time. A report that fails for a reason that may pass (the
 * registry down, a 5xx, a 429) is put back and sent with the next one; one the registry refuses
 * (a 4xx) is dropped and counted. `close` sends what is left, once.
 */
export function createUsageReporter({
  registryUrl,
  apiKey,
  buffer,
  intervalMs,
  timeoutMs = 10_000,
  logger,
  onReported,
  onRejected,
}: UsageReporterOptions) {
  const endpoint = new URL('usage', registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`);
  const gateway = `${hostname()}:${process.pid}`;
  const failing = createRepeatedFailureLog(logger, {
    message: 'cannot send usage reports to the schema registry; keeping them for the next report',
    fields: { registry: registryUrl },
  });
  let inFlight: Promise<void> | undefined;

  const send = async (entries: readonly UsageEntry[]) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey) headers[API_KEY_HEADER] = apiKey.value();
    const response = await fetch(endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({ gateway, entries }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.ok) return;
    const retryable = response.status >= 500 || response.status === 429;
    if (retryable)
      throw new Error(`the registry answered POST /usage with HTTP ${response.status}`);
    throw new Rejected(`the registry refused a usage report with HTTP ${response.status}`);
  };

  const flushOnce = async () => {
    const entries = buffer.drain();
    for (let start = 0; start < entries.length; start += MAX_ENTRIES_PER_REPORT) {
      const chunk = entries.slice(start, start + MAX_ENTRIES_PER_REPORT);
      try {
        await send(chunk);
        onReported(chunk.length);
        failing.recovered();
      } catch (error) {
        if (error instanceof Rejected) {
          onRejected(chunk.reduce((sum, entry) => sum + entry.count, 0));
          logger.error({ err: error, registry: registryUrl }, 'usage report refused; dropped');
          continue;
        }
        failing.failed(error);
        buffer.restore(entries.slice(start));
        return;
      }
    }
  };

  /** Sends what the buffer holds now (waits for a report already on its way first). */
  const flush = async (): Promise<void> => {
    while (inFlight) await inFlight;
    if (buffer.size === 0) return;
    inFlight = flushOnce().finally(() => {
      inFlight = undefined;
    });
    await inFlight;
  };

  const timer = setInterval(() => {
    if (!inFlight) void flush();
  }, intervalMs);
  timer.unref();

  return {
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}
