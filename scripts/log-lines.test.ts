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
    expect(formatLogLine(line)).toEqual(['INFO  users listening url=http://127.0.0.1:4001']);
  });

  it('leaves other text alone', () => {
    expect(formatLogLine('plain text')).toEqual(['plain text']);
    expect(formatLogLine('{not json')).toEqual(['{not json']);
  });

  it('splits a message with newlines in it into lines', () => {
    const line = JSON.stringify({ level: 50, msg: 'Invalid environment:\n✖ PORT\n✖ HOST' });
    expect(formatLogLine(line)).toEqual(['ERROR Invalid environment:', '✖ PORT', '✖ HOST']);
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

  it('prefixes each line of a multi-line log message', () => {
    const prefixer = createLinePrefixer('users', { width: 5, colour: false, index: 0 });
    expect(prefixer.push(`${JSON.stringify({ level: 30, msg: 'a\nb' })}\n`)).toEqual([
      'users │ INFO  a',
      'users │ b',
    ]);
  });
});
