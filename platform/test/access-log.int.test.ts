import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors/index.ts';
import { createHttpShell, finishHttpShell, listen } from '../src/http/index.ts';
import { createLogger } from '../src/logging/index.ts';

describe('access log lines', () => {
  it('say what happened to a refused request — method, path, route, status, code, request id — and carry no headers', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'test',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as never) },
    });
    const app = createHttpShell(logger);
    app.get('/things/:id', () => {
      throw new AppError('BAD_USER_INPUT', 'id must be a number');
    });
    const { server, url } = await listen(finishHttpShell(app, { logger, maskUnexpected: true }), {
      port: 0,
      host: '127.0.0.1',
    });
    try {
      const response = await fetch(`${url}/things/abc?token=secret`, {
        headers: {
          'x-request-id': 'req-7',
          authorization: 'Bearer secret',
          cookie: 'session=secret',
          'x-padding': 'p'.repeat(8_000),
        },
      });
      expect(response.status).toBe(400);
      await response.arrayBuffer();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      server.close();
    }
    const line = lines.find((entry) => entry['msg'] === 'request completed');
    expect(line).toMatchObject({
      level: 30,
      req: { id: 'req-7', method: 'GET', path: '/things/abc' },
      res: { statusCode: 400 },
      route: '/things/:id',
      code: 'BAD_USER_INPUT',
    });
    const text = JSON.stringify(line);
    expect(text).not.toContain('secret');
    expect(text.length).toBeLessThan(500);
  });
});
