import { createConnection } from 'node:net';

/** Where tests find Redis; the machines running the suite have one on the default port. */
export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * Fails (never skips) with a clear message when the Redis the tests need is unreachable.
 */
export async function requireRedis(url: string = TEST_REDIS_URL): Promise<string> {
  const { hostname, port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    const fail = (reason: string) => {
      socket.destroy();
      reject(
        new Error(
          `These tests need Redis at ${url} (${reason}). Start it: redis-server --daemonize yes --port 6379`,
        ),
      );
    };
    socket.once('timeout', () => {
      fail('timed out');
    });
    socket.once('error', (err) => {
      fail(err.message);
    });
  });
  return url;
}
