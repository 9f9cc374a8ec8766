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

/** Holds `port` on loopback, closing each connection at once and counting them, until released. */
async function occupy(
  port: number,
): Promise<{ accepted: () => number; release: () => Promise<void> }> {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    socket.destroy();
  }).listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    accepted: () => accepted,
    release: () =>
      new Promise((done) => {
        server.close(() => {
          done();
        });
      }),
  };
}

describe('freePortWithCompanion', () => {
  it('answers a port whose companion is free too, both below the ephemeral range', async () => {
    for (let round = 0; round < 20; round++) {
      const port = await freePortWithCompanion(10_000);
      expect(port + 10_000).toBeLessThan(32_768);
      // Both can be bound now (occupy throws EADDRINUSE otherwise).
      const holders = [await occupy(port), await occupy(port + 10_000)];
      for (const holder of holders) await holder.release();
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
    const holder = await occupy(Number(new URL(server.url).port));
    try {
      const error = await server.start().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/exited \(1\) before it answered/);
      expect((error as Error).message).toMatch(/Address already in use/);
      // It stopped trying once the server was gone: not the 50 attempts of an unreachable Redis.
      expect(holder.accepted()).toBeLessThan(50);
    } finally {
      await holder.release();
      await server.stop();
    }
  });
});
