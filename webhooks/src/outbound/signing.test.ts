import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { standardWebhookHeaders } from './signing.ts';

const secret = () => `whsec_${randomBytes(24).toString('base64')}`;

describe('standardWebhookHeaders', () => {
  it('signs so that the official standardwebhooks library verifies, with either secret of a rotation', () => {
    const [current, previous, other] = [secret(), secret(), secret()];
    const body = JSON.stringify({ type: 'order.created', data: { id: '1' } });
    const headers = standardWebhookHeaders('msg_1', body, [current, previous], new Date());
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    // A subscriber that already holds the new secret, one that still holds the old one.
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    // Neither a stranger's secret nor a changed body passes.
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
    expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow();
  });

  it("reproduces the specification's published test vector (not only what the same library verifies)", () => {
    // The Standard Webhooks specification's example: secret, message id, timestamp, body and the
    // signature it publishes for them. Matching it checks our headers against the specification
    // itself, not against the library that also signs them.
    const vector = {
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const headers = standardWebhookHeaders(
      vector.id,
      vector.body,
      [vector.secret, secret()],
      new Date(vector.timestamp * 1000),
    );
    expect(headers['webhook-timestamp']).toBe(String(vector.timestamp));
    // During a rotation the secrets sign in the order given, space-separated.
    const [first, second] = headers['webhook-signature'].split(' ');
    expect(first).toBe(vector.signature);
    expect(second).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(second).not.toBe(vector.signature);
  });

  it('stamps each attempt with the time it is sent (a retry is not refused as stale)', () => {
    const key = secret();
    const later = new Date(Date.now() + 3_600_000);
    const headers = standardWebhookHeaders('msg_2', '{}', [key], later);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(later.getTime() / 1000)));
    expect(() => new Webhook(key).verify('{}', headers)).toThrow(); // an hour off *our* clock
    expect(
      new Webhook(key).verify('{}', standardWebhookHeaders('msg_2', '{}', [key], new Date())),
    ).toEqual({});
  });
});
