import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { createRepeatedFailureLog } from './repeated-failure.ts';

function memoryLogger() {
  const lines: { level: number; msg: string; failures?: number; err?: unknown }[] = [];
  const logger = createLogger({
    service: 'test',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as never) },
  });
  return { logger, lines };
}

describe('createRepeatedFailureLog', () => {
  it('logs the first failure in full, then one count per interval, then the recovery once', () => {
    let clock = 0;
    const { logger, lines } = memoryLogger();
    const log = createRepeatedFailureLog(logger, {
      message: 'cache unavailable',
      intervalMs: 1_000,
      now: () => clock,
    });
    for (let i = 0; i < 250; i++) {
      log.failed(new Error('ECONNREFUSED'));
      clock += 10; // 250 failures over 2.5 s
    }
    log.recovered();
    log.recovered();
    expect(lines.map((line) => [line.level, line.msg, line.failures])).toEqual([
      [40, 'cache unavailable', undefined],
      [40, 'cache unavailable (still failing)', 100],
      [40, 'cache unavailable (still failing)', 100],
      [30, 'cache unavailable: recovered', 250],
    ]);
    expect(lines[0]?.err).toBeDefined();
  });

  it('starts a new run after a recovery', () => {
    const { logger, lines } = memoryLogger();
    const log = createRepeatedFailureLog(logger, { message: 'down' });
    log.failed();
    log.recovered();
    log.failed();
    expect(lines.filter((line) => line.msg === 'down')).toHaveLength(2);
  });
});
