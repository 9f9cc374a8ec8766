// The composition worker thread: composition of a large graph takes hundreds of milliseconds of
// CPU, which must not stall long-polls and usage ingest on the main thread.
import { parentPort } from 'node:worker_threads';
import { composeSubgraphs, diffApiSchemas } from './compose.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('compose-worker.ts runs as a worker thread');

port.on('message', (request: WorkerRequest) => {
  const run = async (): Promise<unknown> => {
    switch (request.kind) {
      case 'compose':
        return composeSubgraphs(request.subgraphs);
      case 'diff':
        return diffApiSchemas(request.fromSdl, request.toSdl);
    }
  };
  run().then(
    (result) => {
      port.postMessage({ id: request.id, ok: true, result } satisfies WorkerResponse);
    },
    (error: unknown) => {
      port.postMessage({
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies WorkerResponse);
    },
  );
});
