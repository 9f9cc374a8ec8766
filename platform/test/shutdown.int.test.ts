import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { listen } from '../src/http/listen.ts';
import { createGracefulShutdown } from '../src/service/shutdown.ts';
import { silentLogger } from '../src/testing/index.ts';

describe('createGracefulShutdown', () => {
  it('lets an in-flight request finish, refuses new connections, then closes resources', async () => {
    let closed = false;
    const { server, url } = await listen(
      (req, res) => {
        const delay = req.url === '/slow' ? 300 : 0;
        setTimeout(() => res.end('done'), delay);
      },
      { port: 0, host: '127.0.0.1' },
    );
    const shutdown = createGracefulShutdown({
      server,
      logger: silentLogger(),
      graceMs: 5_000,
      onClose: () => {
        closed = true;
      },
    });

    const slow = fetch(`${url}/slow`).then((res) => res.text());
    await sleep(50);
    const done = shutdown('test');
    expect(await slow).toBe('done');
    await done;
    expect(closed).toBe(true);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('cuts requests that outlive the grace period', async () => {
    const { server, url } = await listen(() => undefined /* never answers */, {
      port: 0,
      host: '127.0.0.1',
    });
    const shutdown = createGracefulShutdown({ server, logger: silentLogger(), graceMs: 100 });
    const hanging = fetch(url).catch((error: unknown) => error);
    await sleep(50);
    await shutdown('test');
    expect(await hanging).toBeInstanceOf(Error);
  });
});
