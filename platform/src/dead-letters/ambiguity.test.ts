import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.ts';
import { wasNotSent, withDeadLetterId } from './ambiguity.ts';

const fetchFailed = (code: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

describe('wasNotSent', () => {
  it('is sure only when the connection was never made', () => {
    expect(wasNotSent(fetchFailed('ECONNREFUSED'))).toBe(true);
    expect(wasNotSent(fetchFailed('ENOTFOUND'))).toBe(true);
    // Reset, closed mid-answer, aborted: the request may have arrived.
    expect(wasNotSent(fetchFailed('ECONNRESET'))).toBe(false);
    expect(wasNotSent(fetchFailed('UND_ERR_SOCKET'))).toBe(false);
    expect(wasNotSent(new DOMException('aborted', 'AbortError'))).toBe(false);
  });
});

describe('withDeadLetterId', () => {
  it("adds the id to the caller's typed error, keeping its code", () => {
    const timedOut = withDeadLetterId(new DOMException('t', 'TimeoutError'), 'x-1', 'legacy');
    expect(timedOut).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      details: { deadLetterId: 'x-1' },
    });
    const own = withDeadLetterId(new AppError('UPSTREAM_ERROR', 'bad'), 'x-2', 'legacy');
    expect(own).toMatchObject({ code: 'UPSTREAM_ERROR', details: { deadLetterId: 'x-2' } });
  });

  it('leaves a bug a bug', () => {
    const bug = new Error('boom');
    expect(withDeadLetterId(bug, 'x-3', 'legacy')).toBe(bug);
  });
});
