// The private redis-server tests start (platform/src/testing/redis.ts): a Cluster node's port is
// chosen with its bus port free (port + 10000, both below the ephemeral range), and a server that
// exits before it answers is reported at once with Redis's own words, not as an unreachable Redis.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortWithCompanion, startRedisServer } from '@manifold/platform/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'private-redis-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Holds `port` on loopback (closing each connection at once) until the returned function is called. */
async function occupy(port: number): Promise<() => Promise<void>> {
  const server = createServer((socket) => socket.destroy()).listen(port, '127.0.0.1');
  await once(server, 'listening');
  return () =>
    new Promise((done) => {
      server.close(() => {
        done();
      });
    });
}

describe('freePortWithCompanion', () => {
  it('answers a port whose companion is free too, both below the ephemeral range', async () => {
    for (let round = 0; round < 20; round++) {
      const port = await freePortWithCompanion(10_000);
      expect(port + 10_000).toBeLessThan(32_768);
      // Both can be bound now (occupy throws EADDRINUSE otherwise).
      const releases = [await occupy(port), await occupy(port + 10_000)];
      for (const release of releases) await release();
    }
  });
});

describe('startRedisServer', () => {
  it('starts a Cluster node that answers on its port', async () => {
    const node = await startRedisServer({ appendOnlyDir: dir, clusterEnabled: true });
    const client = new Redis(node.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await client.call('CLUSTER', 'MYID')).toMatch(/^[0-9a-f]{40}$/);
      const port = Number(new URL(node.url).port);
      // Its bus is bound where Redis puts it: the port + 10000 is taken now.
      await expect(occupy(port + 10_000)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      client.disconnect();
      await node.stop();
    }
  });

  it("reports a server that exits before it answers with Redis's own words, at once", async () => {
    const server = await startRedisServer();
    await server.stop();
    const release = await occupy(Number(new URL(server.url).port));
    try {
      const started = Date.now();
      const error = await server.start().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/exited \(1\) before it answered/);
      expect((error as Error).message).toMatch(/Address already in use/);
      // Not the 50 connection attempts (about 5 s) of an unreachable Redis.
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await release();
      await server.stop();
    }
  });
});
