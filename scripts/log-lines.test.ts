import { describe, expect, it } from 'vitest';
import { createLinePrefixer, formatLogLine } from './log-lines.ts';

describe('formatLogLine', () => {
  it('shortens pino JSON to level, message and extra fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: 1,
      pid: 2,
      hostname: 'h',
      service: 'users',
      url: 'http://127.0.0.1:4001',
      msg: 'users listening',
    });
    expect(formatLogLine(line)).toBe('INFO  users listening url=http://127.0.0.1:4001');
  });

  it('leaves other text alone', () => {
    expect(formatLogLine('plain text')).toBe('plain text');
    expect(formatLogLine('{not json')).toBe('{not json');
  });
});

describe('createLinePrefixer', () => {
  it('prefixes every complete line and holds a partial one until it ends', () => {
    const prefixer = createLinePrefixer('orders', { width: 8, colour: false, index: 0 });
    expect(prefixer.push('first\nsec')).toEqual(['orders   │ first']);
    expect(prefixer.push('ond\n')).toEqual(['orders   │ second']);
    expect(prefixer.push('tail')).toEqual([]);
    expect(prefixer.flush()).toEqual(['orders   │ tail']);
  });
});
