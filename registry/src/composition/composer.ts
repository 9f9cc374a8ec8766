import { Worker } from 'node:worker_threads';
import type {
  CompositionOutcome,
  SchemaChange,
  SubgraphSource,
  WorkerRequest,
  WorkerResponse,
} from './protocol.ts';

/** Composition and schema diffs, off the event loop. */
export interface Composer {
  compose(subgraphs: readonly SubgraphSource[]): Promise<CompositionOutcome>;
  diff(fromSdl: string, toSdl: string): Promise<SchemaChange[]>;
  close(): Promise<void>;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

type RequestBody =
  | Omit<Extract<WorkerRequest, { kind: 'compose' }>, 'id'>
  | Omit<Extract<WorkerRequest, { kind: 'diff' }>, 'id'>;

/**
 * One worker thread (started on first use, restarted if it dies), requests answered in order.
 * One is enough: publishes are serialised anyway, and checks are rare next to gateway polls.
 */
export function createWorkerComposer(): Composer {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };

  const start = (): Worker => {
    // No inherited --import: the telemetry SDK belongs to the main thread only.
    const started = new Worker(new URL('./compose-worker.ts', import.meta.url), { execArgv: [] });
    started.on('message', (response: WorkerResponse) => {
      const waiting = pending.get(response.id);
      if (!waiting) return;
      pending.delete(response.id);
      if (pending.size === 0) started.unref();
      if (response.ok) waiting.resolve(response.result);
      else waiting.reject(new Error(`composition worker: ${response.error}`));
    });
    started.on('error', (error: Error) => {
      worker = undefined;
      failAll(error);
    });
    started.on('exit', (code) => {
      if (worker === started) worker = undefined;
      if (code !== 0) failAll(new Error(`composition worker exited with code ${code}`));
    });
    return started;
  };

  const call = <T>(body: RequestBody): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      worker ??= start();
      // Busy, it keeps the process alive; idle, it must not.
      worker.ref();
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...body, id } satisfies WorkerRequest);
    });

  return {
    compose: (subgraphs) =>
      call<CompositionOutcome>({ kind: 'compose', subgraphs: [...subgraphs] }),
    diff: (fromSdl, toSdl) => call<SchemaChange[]>({ kind: 'diff', fromSdl, toSdl }),
    close: async () => {
      const closing = worker;
      worker = undefined;
      failAll(new Error('composer closed'));
      await closing?.terminate();
    },
  };
}
