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
