import { describe, expect, it, vi } from 'vitest';
import { AppError, UpstreamError } from '../src/errors/index.ts';
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
      fault: 'client',
    });
    const text = JSON.stringify(line);
    expect(text).not.toContain('secret');
    expect(text.length).toBeLessThan(500);
  });

  it('tell the callers’ mistakes from ours: a flood of bad requests is all `fault: client`, never an error line', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'test',
      level: 'debug',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as never) },
    });
    const app = createHttpShell(logger);
    app.get('/things/:id', (req) => {
      if (req.params['id'] === 'down')
        throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'legacy', 'legacy is down', {
          transient: true,
        });
      throw new AppError('BAD_USER_INPUT', 'id must be a number');
    });
    const { server, url } = await listen(finishHttpShell(app, { logger, maskUnexpected: true }), {
      port: 0,
      host: '127.0.0.1',
    });
    try {
      for (let i = 0; i < 50; i++) await (await fetch(`${url}/things/x${String(i)}`)).arrayBuffer();
      await (await fetch(`${url}/nowhere`)).arrayBuffer();
      await (await fetch(`${url}/things/down`)).arrayBuffer();
    } finally {
      server.close();
    }
    // An access line per request ("request completed", or "request errored" for a 5xx).
    const accessLines = () => lines.filter((entry) => entry['res'] !== undefined);
    await vi.waitFor(() => {
      expect(accessLines()).toHaveLength(52);
    });
    const completed = accessLines();
    const byFault = (fault: string) => completed.filter((entry) => entry['fault'] === fault);
    expect(byFault('client')).toHaveLength(51);
    expect(byFault('ours')).toEqual([
      expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', res: { statusCode: 503 } }),
    ]);
    // Error lines page people: none of them for the callers' mistakes (nor for a known outage).
    expect(lines.filter((entry) => Number(entry['level']) >= 50)).toEqual([]);
  });
});
