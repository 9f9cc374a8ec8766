// `node scripts/fuzz-heap.ts --edge soap-proxy|legacy-rest-adapter|registry|webhooks [--chunks 10]
// [--seconds 30]`: is a service's memory growth under fuzz a leak or a bound? Fuzzes the edge in
// chunks and after each forces full garbage collections in the service (over its inspector) and
// prints what its heap still holds: a leak keeps climbing after GC, a bound levels off.
// Single-process edges only (the inspector port is one).
import { parseArgs } from 'node:util';
import { freePort } from '@manifold/platform/testing';
import { legacyAdapterEdge, soapProxyEdge } from '../test/fuzz/facade-edges.ts';
import type { FuzzEdge } from '../test/fuzz/edges.ts';
import { fuzz, residentMiB } from '../test/fuzz/harness.ts';
import { registryEdge } from '../test/fuzz/registry-edge.ts';
import { webhooksEdge } from '../test/fuzz/webhooks-edge.ts';

const { values } = parseArgs({
  options: {
    edge: { type: 'string', default: 'soap-proxy' },
    chunks: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
  },
});

/** The service's memory after two full collections, in MiB, read over the inspector protocol. */
async function memoryAfterGc(port: number): Promise<Record<string, number>> {
  const targets = (await (await fetch(`http://127.0.0.1:${String(port)}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new WebSocket(targets[0]?.webSocketDebuggerUrl ?? '');
  await new Promise((resolve) => {
    socket.addEventListener('open', resolve, { once: true });
  });
  let lastId = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++lastId;
      const listener = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
        if (message.id !== id) return;
        socket.removeEventListener('message', listener);
        resolve(message.result);
      };
      socket.addEventListener('message', listener);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  const evaluated = (await call('Runtime.evaluate', {
    expression: 'JSON.stringify(process.memoryUsage())',
    returnByValue: true,
  })) as { result: { value: string } };
  socket.close();
  const usage = JSON.parse(evaluated.result.value) as Record<string, number>;
  return Object.fromEntries(
    Object.entries(usage).map(([name, bytes]) => [name, Math.round(bytes / 1_048_576)]),
  );
}

/** Fuzzes `edge` in chunks, printing the service's memory after GC between them. */
async function probe<T>(edge: FuzzEdge<T>): Promise<void> {
  const inspectorPort = await freePort();
  // The service inherits it (this process read NODE_OPTIONS when it started, not now).
  process.env['NODE_OPTIONS'] = `--inspect=127.0.0.1:${String(inspectorPort)}`;
  const running = await edge.start();
  delete process.env['NODE_OPTIONS'];
  const pid = running.processes[0]?.pid ?? 0;
  try {
    await running.warmUp();
    let tried = 0;
    const report = async (seconds: number) => {
      console.log(
        JSON.stringify({
          seconds,
          tried,
          rssMiB: Math.round(residentMiB(pid)),
          afterGcMiB: await memoryAfterGc(inspectorPort),
        }),
      );
    };
    await report(0);
    const chunkMs = Number(values.seconds) * 1000;
    for (let chunk = 1; chunk <= Number(values.chunks); chunk++) {
      const chunkRun = await fuzz({
        edge: `${values.edge}-heap`, // no corpus: fresh inputs only
        arbitrary: running.arbitrary,
        send: running.send,
        check: () => [],
        durationMs: chunkMs,
      });
      tried += chunkRun.tried;
      await report((chunk * chunkMs) / 1000);
    }
  } finally {
    await running.stop();
  }
}

const EDGES: Record<string, () => Promise<void>> = {
  'soap-proxy': () => probe(soapProxyEdge),
  'legacy-rest-adapter': () => probe(legacyAdapterEdge),
  registry: () => probe(registryEdge),
  webhooks: () => probe(webhooksEdge),
};
const run = EDGES[values.edge];
if (run === undefined) throw new Error(`--edge: one of ${Object.keys(EDGES).join(', ')}`);
await run();
