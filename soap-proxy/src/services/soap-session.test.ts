import { describe, expect, it } from 'vitest';
import { SoapSession, valueAt, withValueAt } from './soap-session.ts';

const SETTINGS = {
  operation: 'login',
  input: {},
  token: '/result/sessionId',
  endpoint: '/result/serverUrl',
  header: 'SessionHeader',
  headerPointer: '/sessionId',
  ttlSeconds: 60,
  expiredFault: 'INVALID_SESSION_ID',
};

/** A login double: each login answers the next session id, released when the test says so. */
function logins() {
  let count = 0;
  const pending: (() => void)[] = [];
  const login = () =>
    new Promise<unknown>((resolve) => {
      const id = `s${++count}`;
      pending.push(() => {
        resolve({ result: { sessionId: id, serverUrl: `https://na${count}.example/soap` } });
      });
    });
  return {
    login,
    release: () => {
      pending.splice(0).forEach((go) => {
        go();
      });
    },
  };
}

describe('SoapSession', () => {
  it('logs in once for concurrent first calls, keeping the token and the endpoint the answer names', async () => {
    const { login, release } = logins();
    const session = new SoapSession(login, SETTINGS, 'crm');
    const waiting = Promise.all([session.current(), session.current(), session.current()]);
    release();
    const sessions = await waiting;
    expect(session.logins).toBe(1);
    expect(sessions.map((s) => [s.token, s.endpoint])).toEqual(
      Array(3).fill(['s1', 'https://na1.example/soap']),
    );
  });

  it('replaces an expired session once, however many calls report it, and logs in again after the TTL', async () => {
    const { login, release } = logins();
    let now = 0;
    const session = new SoapSession(login, SETTINGS, 'crm', () => now);
    const first = session.current();
    release();
    const stale = await first;
    for (let call = 0; call < 5; call++) session.expired(stale);
    const renewed = Promise.all([session.current(), session.current()]);
    release();
    expect((await renewed).map((s) => s.token)).toEqual(['s2', 's2']);
    session.expired(stale); // reported late: the newer session stays
    expect((await session.current()).token).toBe('s2');
    expect(session.logins).toBe(2);
    now = 61_000;
    const afterTtl = session.current();
    release();
    expect((await afterTtl).token).toBe('s3');
  });

  it('recognises an expired-session fault by its code, string or detail', () => {
    const session = new SoapSession(logins().login, SETTINGS, 'crm');
    expect(session.isExpiredFault({ faultcode: 'sf:INVALID_SESSION_ID', faultstring: 'x' })).toBe(
      true,
    );
    expect(
      session.isExpiredFault({
        faultstring: 'x',
        detail: { fault: { code: 'INVALID_SESSION_ID' } },
      }),
    ).toBe(true);
    expect(session.isExpiredFault({ faultcode: 'Client', faultstring: 'Unknown SKU' })).toBe(false);
  });

  it('reads and writes values by JSON pointer', () => {
    expect(valueAt({ a: { 'b/c': 1 } }, '/a/b~1c')).toBe(1);
    expect(withValueAt({ client: 'x' }, '/sessionId', 't')).toEqual({
      client: 'x',
      sessionId: 't',
    });
    expect(withValueAt(undefined, '', 't')).toBe('t');
  });
});
