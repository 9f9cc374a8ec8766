import { createHash, createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, decodeSignature } from './compare.ts';
import { genericHmacScheme } from './generic-hmac.ts';
import { standardWebhooksScheme } from './standard-webhooks.ts';
import { stripeScheme } from './stripe.ts';

const NOW = 1_790_000_000;
const body = Buffer.from(JSON.stringify({ id: 'evt_1', type: 'invoice.paid' }));
const stripeV1 = (secret: string, t: number) =>
  createHmac('sha256', secret).update(`${t}.${body.toString()}`).digest('hex');

describe('constantTimeEqual and decodeSignature', () => {
  it('compares bytes, refusing different lengths without throwing', () => {
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
  });

  it('refuses text that is not in the encoding', () => {
    expect(decodeSignature('zz', 'hex')).toBeUndefined();
    expect(decodeSignature('ab12', 'hex')).toEqual(Buffer.from([0xab, 0x12]));
    expect(decodeSignature('a b', 'base64')).toBeUndefined();
  });
});

describe('stripeScheme', () => {
  const scheme = stripeScheme({ toleranceSeconds: 300 });
  const verify = (header: string, secrets = ['whsec_a']) =>
    scheme.verify({ headers: { 'stripe-signature': header }, rawBody: body }, secrets, NOW);

  it('accepts any of several v1 signatures (Stripe rolling its own secret) and says which secret matched', () => {
    const header = `t=${NOW},v1=${stripeV1('whsec_other', NOW)},v1=${stripeV1('whsec_b', NOW)},v0=00`;
    expect(verify(header, ['whsec_a', 'whsec_b'])).toEqual({
      kind: 'accepted',
      eventId: 'evt_1',
      eventType: 'invoice.paid',
      secretIndex: 1,
    });
  });

  it('refuses a header without a timestamp or without v1', () => {
    expect(verify(`v1=${stripeV1('whsec_a', NOW)}`)).toMatchObject({ kind: 'invalid-signature' });
    expect(verify(`t=${NOW}`)).toMatchObject({ kind: 'invalid-signature' });
  });

  it('judges staleness only once the signature is good (300 s either way)', () => {
    expect(verify(`t=${NOW - 301},v1=${stripeV1('whsec_a', NOW - 301)}`)).toMatchObject({
      kind: 'stale',
    });
    expect(verify(`t=${NOW + 301},v1=${stripeV1('whsec_a', NOW + 301)}`)).toMatchObject({
      kind: 'stale',
    });
    expect(verify(`t=${NOW - 300},v1=${stripeV1('whsec_a', NOW - 300)}`)).toMatchObject({
      kind: 'accepted',
    });
    expect(verify(`t=${NOW - 301},v1=${stripeV1('whsec_x', NOW - 301)}`)).toMatchObject({
      kind: 'invalid-signature',
    });
  });
});

describe('standardWebhooksScheme', () => {
  const secret = `whsec_${Buffer.from('standard-secret-0123456789abcdef').toString('base64')}`;
  const payload = Buffer.from(JSON.stringify({ type: 'order.created' }));
  const headers = (signature: string, t = NOW) => ({
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(t),
    'webhook-signature': signature,
  });
  const signed = (t = NOW) =>
    new Webhook(secret).sign('msg_1', new Date(t * 1000), payload.toString());
  const scheme = standardWebhooksScheme({ toleranceSeconds: 300 });

  it('accepts its signature among several (space-separated, as during a sender-side rotation)', () => {
    const verdict = scheme.verify(
      { headers: headers(`v1,bm9wZQ== ${signed()}`), rawBody: payload },
      [secret],
      NOW,
    );
    expect(verdict).toEqual({
      kind: 'accepted',
      eventId: 'msg_1',
      eventType: 'order.created',
      secretIndex: 0,
    });
  });

  it('tells a stale request from a forged one, with its own tolerance', () => {
    const old = NOW - 3_600;
    expect(
      scheme.verify({ headers: headers(signed(old), old), rawBody: payload }, [secret], NOW),
    ).toMatchObject({
      kind: 'stale',
    });
    expect(
      standardWebhooksScheme({ toleranceSeconds: 7_200 }).verify(
        { headers: headers(signed(old), old), rawBody: payload },
        [secret],
        NOW,
      ),
    ).toMatchObject({ kind: 'accepted' });
  });
});

describe('genericHmacScheme', () => {
  const options = {
    signatureHeader: 'x-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: '',
    timestampHeader: undefined,
    toleranceSeconds: 300,
    idHeader: 'x-webhook-id',
    typeField: 'type',
  } as const;
  const digest = (algorithm: string, secret: string, content: string, encoding: 'hex' | 'base64') =>
    createHmac(algorithm, secret).update(content).digest(encoding);

  it('without a timestamp header: signs the body alone, and takes the body’s SHA-256 as the id when no id header comes', () => {
    const scheme = genericHmacScheme({ ...options, algorithm: 'sha512', encoding: 'base64' });
    const signature = digest('sha512', 'k2', body.toString(), 'base64');
    expect(
      scheme.verify({ headers: { 'x-signature': signature }, rawBody: body }, ['k1', 'k2'], NOW),
    ).toEqual({
      kind: 'accepted',
      eventId: createHash('sha256').update(body).digest('hex'),
      eventType: 'invoice.paid',
      secretIndex: 1,
    });
    // No timestamp is signed, so none is judged: an old request is not stale (replays are caught by id).
    expect(
      scheme.verify(
        { headers: { 'x-signature': signature, 'x-webhook-id': 'evt_9' }, rawBody: body },
        ['k2'],
        0,
      ),
    ).toMatchObject({ kind: 'accepted', eventId: 'evt_9' });
    // The same signature as hex is not the configured encoding.
    expect(
      scheme.verify(
        {
          headers: { 'x-signature': digest('sha512', 'k2', body.toString(), 'hex') },
          rawBody: body,
        },
        ['k2'],
        NOW,
      ),
    ).toMatchObject({ kind: 'invalid-signature' });
  });

  it('with a prefix and a timestamp header: signs `<timestamp>.<body>`, refuses a missing prefix or timestamp, and judges staleness after the signature', () => {
    const scheme = genericHmacScheme({ ...options, prefix: 'sha256=', timestampHeader: 'x-ts' });
    const signed = (t: number, secret = 'k') => ({
      'x-signature': `sha256=${digest('sha256', secret, `${t}.${body.toString()}`, 'hex')}`,
      'x-ts': String(t),
    });
    const verify = (headers: Record<string, string>) =>
      scheme.verify({ headers, rawBody: body }, ['k'], NOW);
    expect(verify(signed(NOW))).toMatchObject({ kind: 'accepted' });
    expect(verify({ ...signed(NOW), 'x-ts': String(NOW + 1) })).toMatchObject({
      kind: 'invalid-signature',
    });
    expect(verify({ 'x-signature': signed(NOW)['x-signature'] })).toMatchObject({
      kind: 'invalid-signature',
    });
    expect(
      verify({ ...signed(NOW), 'x-signature': signed(NOW)['x-signature'].slice(7) }),
    ).toMatchObject({ kind: 'invalid-signature' });
    expect(verify(signed(NOW - 301))).toMatchObject({ kind: 'stale' });
    expect(verify(signed(NOW - 301, 'other'))).toMatchObject({ kind: 'invalid-signature' });
  });

  it('refuses a signed body without its type field', () => {
    const untyped = Buffer.from('{"id":"evt_1"}');
    const scheme = genericHmacScheme(options);
    expect(
      scheme.verify(
        {
          headers: { 'x-signature': digest('sha256', 'k', untyped.toString(), 'hex') },
          rawBody: untyped,
        },
        ['k'],
        NOW,
      ),
    ).toMatchObject({ kind: 'invalid-signature' });
  });
});
