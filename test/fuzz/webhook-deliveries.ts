// Inbound webhook deliveries as senders make them and as attackers and broken senders do: every
// scheme of deploy/webhooks.yaml signed as its sender signs (written from the senders'
// documentation, as webhooks/test/signers.ts does; test/webhook-deliveries.test.ts checks them
// against the service's schemes),
// then forged, garbled, stale, huge, compressed or mislabelled. Each input is a description,
// signed when it is sent: a corpus entry still means the same thing on a later day.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';

/** The sources of deploy/webhooks.yaml, each with the secret the fuzzed service is given. */
export const WEBHOOK_SOURCES = {
  stripe: { variable: 'WEBHOOKS_STRIPE_SECRET', secret: 'whsec_fuzz-stripe-endpoint' },
  github: { variable: 'WEBHOOKS_GITHUB_SECRET', secret: 'fuzz-github-secret' },
  shopify: { variable: 'WEBHOOKS_SHOPIFY_SECRET', secret: 'fuzz-shopify-secret' },
  standard: {
    variable: 'WEBHOOKS_STANDARD_SECRET',
    secret: `whsec_${Buffer.from('fuzz-standard-webhooks-secret-32').toString('base64')}`,
  },
  partner: { variable: 'WEBHOOKS_HMAC_SECRET', secret: 'fuzz-partner-secret' },
} as const;
type SourceName = keyof typeof WEBHOOK_SOURCES;
const SOURCE_NAMES = Object.keys(WEBHOOK_SOURCES) as SourceName[];

/** deploy/webhooks.yaml's tolerance for the schemes that sign a timestamp (stripe, standard, partner). */
const TOLERANCE_SECONDS = 300;
const TIMESTAMPED = new Set<string>(['stripe', 'standard', 'partner']);
/** The inbound body limit (webhooks/src/routes/hooks.ts). */
const BODY_LIMIT = 1024 * 1024;

export interface WebhookDelivery {
  /** A source of deploy/webhooks.yaml, or a name that is none. */
  source: string;
  /** The event: its id (a few ids, so retries and reused ids happen) and type. `n` varies the body. */
  event: { id: string; type: string; n: number };
  /** The event as its sender encodes it; other text; JSON without the event; nothing; over the limit. */
  body:
    | { kind: 'event' }
    | { kind: 'text'; text: string }
    | { kind: 'json'; value: unknown }
    | { kind: 'huge'; bytes: number };
  /** What the signed timestamp says: seconds from the moment of sending, or something malformed. */
  timestamp:
    { kind: 'offset'; seconds: number } | { kind: 'text'; text: string } | { kind: 'none' };
  signature:
    | { kind: 'valid' }
    /** Signed with a secret the service does not hold. */
    | { kind: 'wrong-secret' }
    /** Signed, then the body changed by a byte. */
    | { kind: 'tampered'; at: number }
    /** Its last four characters cut. */
    | { kind: 'truncated' }
    | { kind: 'random'; text: string }
    | { kind: 'missing' }
    /** Signed as another scheme signs (its headers instead of this source's). */
    | { kind: 'other-scheme'; scheme: SourceName };
  /** After signing: one of the sender's headers dropped or given another value. */
  headerEdit:
    { kind: 'drop'; index: number } | { kind: 'replace'; index: number; value: string } | null;
  contentType: string | undefined;
  /** A Content-Encoding the body is not in (it never is). */
  contentEncoding: string | undefined;
}

/** The wire form of a delivery: what `fetch` sends. */
export interface DeliveryRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A secret of the scheme's form that the service does not hold (an old one, rotated away). */
const wrongSecret = (scheme: SourceName) =>
  scheme === 'standard'
    ? `whsec_${Buffer.from('a secret rotated away long ago..').toString('base64')}`
    : `${WEBHOOK_SOURCES[scheme].secret}-rotated-away`;

const hmacOf = (secret: string, content: string, encoding: 'hex' | 'base64') =>
  createHmac('sha256', secret).update(content).digest(encoding);

/** The body bytes a source's sender would send for the event. */
function eventBody(source: string, event: WebhookDelivery['event']): string {
  switch (source) {
    case 'github':
      return JSON.stringify({ action: 'opened', number: event.n });
    case 'shopify':
      return JSON.stringify({ id: event.n, total_price: '42.00' });
    case 'standard':
      return JSON.stringify({ type: event.type, data: { n: event.n } });
    case 'partner':
      return JSON.stringify({ type: event.type, id: event.id, n: event.n });
    default:
      return JSON.stringify({
        id: event.id,
        object: 'event',
        type: event.type,
        data: { object: { n: event.n } },
      });
  }
}

function bodyOf(delivery: WebhookDelivery): string {
  const { body } = delivery;
  switch (body.kind) {
    case 'event':
      return eventBody(delivery.source, delivery.event);
    case 'text':
      return body.text;
    case 'json':
      return JSON.stringify(body.value);
    case 'huge': {
      const event = eventBody(delivery.source, delivery.event);
      return `${event.slice(0, -1)},"padding":"${'x'.repeat(body.bytes)}"}`;
    }
  }
}

/** The headers `scheme` signs `body` with, in the order a header edit counts them. */
function signedHeaders(
  scheme: SourceName,
  secret: string,
  event: WebhookDelivery['event'],
  body: string,
  timestamp: string | undefined,
): [string, string][] {
  const stamp = timestamp ?? '';
  switch (scheme) {
    case 'stripe':
      return [
        [
          'stripe-signature',
          `${timestamp === undefined ? '' : `t=${stamp},`}v1=${hmacOf(secret, `${stamp}.${body}`, 'hex')}`,
        ],
      ];
    case 'github':
      return [
        ['x-hub-signature-256', `sha256=${hmacOf(secret, body, 'hex')}`],
        ['x-github-delivery', event.id],
        ['x-github-event', event.type],
      ];
    case 'shopify':
      return [
        ['x-shopify-hmac-sha256', hmacOf(secret, body, 'base64')],
        ['x-shopify-webhook-id', event.id],
        ['x-shopify-topic', event.type],
      ];
    case 'standard': {
      // The specification: v1,base64(HMAC-SHA256(<id>.<timestamp>.<body>)), keyed with the
      // base64 after `whsec_`.
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const signed = createHmac('sha256', key).update(`${event.id}.${stamp}.${body}`);
      return [
        ['webhook-id', event.id],
        ...(timestamp === undefined ? [] : ([['webhook-timestamp', stamp]] as [string, string][])),
        ['webhook-signature', `v1,${signed.digest('base64')}`],
      ];
    }
    case 'partner':
      return [
        [
          'x-signature',
          `sha256=${hmacOf(secret, timestamp === undefined ? body : `${stamp}.${body}`, 'hex')}`,
        ],
        ...(timestamp === undefined ? [] : ([['x-timestamp', stamp]] as [string, string][])),
        ['x-webhook-id', event.id],
      ];
  }
}

const SIGNATURE_HEADERS = new Set([
  'stripe-signature',
  'x-hub-signature-256',
  'x-shopify-hmac-sha256',
  'webhook-signature',
  'x-signature',
]);

/** The request for a delivery, signed now (`nowSeconds`). */
export function deliveryRequest(delivery: WebhookDelivery, nowSeconds: number): DeliveryRequest {
  const body = bodyOf(delivery);
  const { signature, timestamp } = delivery;
  const scheme: SourceName =
    signature.kind === 'other-scheme'
      ? signature.scheme
      : SOURCE_NAMES.includes(delivery.source as SourceName)
        ? (delivery.source as SourceName)
        : 'stripe';
  const secret =
    signature.kind === 'wrong-secret' ? wrongSecret(scheme) : WEBHOOK_SOURCES[scheme].secret;
  const stamp =
    timestamp.kind === 'offset'
      ? String(nowSeconds + timestamp.seconds)
      : timestamp.kind === 'text'
        ? timestamp.text
        : undefined;
  const signedBody =
    signature.kind === 'tampered' && body.length > 0
      ? (() => {
          const at = signature.at % body.length;
          const changed = body[at] === 'x' ? 'y' : 'x';
          return body.slice(0, at) + changed + body.slice(at + 1);
        })()
      : body;
  let headers = signedHeaders(scheme, secret, delivery.event, signedBody, stamp);
  if (signature.kind === 'truncated')
    headers = headers.map(([name, value]): [string, string] =>
      SIGNATURE_HEADERS.has(name) ? [name, value.slice(0, -4)] : [name, value],
    );
  if (signature.kind === 'random')
    headers = headers.map(([name, value]): [string, string] =>
      SIGNATURE_HEADERS.has(name) ? [name, headerText(signature.text)] : [name, value],
    );
  if (signature.kind === 'missing')
    headers = headers.filter(([name]) => !SIGNATURE_HEADERS.has(name));
  const edit = delivery.headerEdit;
  if (edit !== null && headers.length > 0) {
    const index = edit.index % headers.length;
    headers =
      edit.kind === 'drop'
        ? headers.filter((_header, position) => position !== index)
        : headers.map(([name, value], position): [string, string] => [
            name,
            position === index ? headerText(edit.value) : value,
          ]);
  }
  return {
    path: `/hooks/${encodeURIComponent(delivery.source)}`,
    headers: {
      ...Object.fromEntries(headers),
      ...(delivery.contentType === undefined ? {} : { 'content-type': delivery.contentType }),
      ...(delivery.contentEncoding === undefined
        ? {}
        : { 'content-encoding': delivery.contentEncoding }),
    },
    body,
  };
}

/** fetch refuses header values with controls or non-Latin-1 characters: those go percent-encoded. */
const headerText = (text: string) =>
  /^[\x20-\x7e]*$/.test(text) ? text.trim() : encodeURIComponent(text);

/**
 * Whether the service must refuse the delivery whatever else it holds: a signature that cannot
 * match (another secret, a changed body, cut short, made up, absent, another scheme's), a source
 * that does not exist, a signed timestamp that is stale, malformed or absent, a body over the
 * limit, a Content-Encoding the body is not in.
 */
export function mustRefuse(delivery: WebhookDelivery): boolean {
  const { signature, source } = delivery;
  const forged =
    signature.kind === 'tampered'
      ? bodyOf(delivery).length > 0
      : signature.kind !== 'valid' &&
        !(signature.kind === 'other-scheme' && signature.scheme === source);
  return (
    !SOURCE_NAMES.includes(source as SourceName) ||
    forged ||
    (TIMESTAMPED.has(source) && !freshlyStamped(delivery)) ||
    delivery.body.kind === 'huge' ||
    (delivery.contentEncoding !== undefined && delivery.contentEncoding !== 'identity')
  );
}

/** A timestamp well inside the tolerance (a minute to spare for the two clocks and the trip). */
const freshlyStamped = ({ timestamp }: WebhookDelivery) =>
  timestamp.kind === 'offset' && Math.abs(timestamp.seconds) <= TOLERANCE_SECONDS - 60;

/** Whether the service must accept it: a source's own sender's request, intact and fresh. */
export function mustAccept(delivery: WebhookDelivery): boolean {
  return (
    SOURCE_NAMES.includes(delivery.source as SourceName) &&
    delivery.signature.kind === 'valid' &&
    delivery.body.kind === 'event' &&
    delivery.headerEdit === null &&
    (delivery.contentEncoding === undefined || delivery.contentEncoding === 'identity') &&
    (!TIMESTAMPED.has(delivery.source) || freshlyStamped(delivery))
  );
}

const EVENT_TYPES = [
  'invoice.paid',
  'charge.refunded',
  'customer.created',
  'orders/create',
  'push',
  'ping',
];

/** Non-empty text a header carries as it is. */
const headerSafeText = (maxLength: number) =>
  fc.string({ minLength: 1, maxLength }).map((text) => headerText(text) || 'x');

/** Mostly sources' own requests with one thing wrong, some intact, some wrong in every way. */
export const webhookDeliveries: fc.Arbitrary<WebhookDelivery> = fc.record({
  source: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...SOURCE_NAMES) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom('Stripe', 'unknown', '__proto__', 'constructor', '..', 'stripe ', ''),
        fc.string({ maxLength: 12 }),
      ),
    },
  ),
  event: fc.record({
    // Ids and types travel in headers (GitHub, Shopify, Standard Webhooks): header-safe text.
    id: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('evt_1', 'evt_2', 'evt_3') },
      { weight: 3, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: headerSafeText(40) },
    ),
    type: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...EVENT_TYPES) },
      { weight: 1, arbitrary: headerSafeText(20) },
    ),
    n: fc.nat({ max: 3 }),
  }),
  body: fc.oneof(
    { weight: 8, arbitrary: fc.constant({ kind: 'event' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('text' as const),
        text: fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.constantFrom('', '{', 'null', '[]', '<xml/>', 'id=1&type=x', '\u0000\u0001'),
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('json' as const),
        value: fc.jsonValue({ maxDepth: 2 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('huge' as const),
        bytes: fc.integer({ min: BODY_LIMIT, max: BODY_LIMIT + 512 * 1024 }),
      }),
    },
  ),
  timestamp: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('offset' as const),
        seconds: fc.integer({ min: -200, max: 200 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('offset' as const),
        seconds: fc.oneof(
          fc.integer({ min: -2_000_000_000, max: -(TOLERANCE_SECONDS + 60) }),
          fc.integer({ min: TOLERANCE_SECONDS + 60, max: 2_000_000_000 }),
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('text' as const),
        text: fc.oneof(
          fc.constantFrom('', '-1', '1e9', '0x10', '17000000000000', '1.5', 'now', ' 1'),
          fc.string({ maxLength: 14 }),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  ),
  signature: fc.oneof(
    { weight: 6, arbitrary: fc.constant({ kind: 'valid' as const }) },
    {
      weight: 4,
      arbitrary: fc.oneof(
        fc.constant({ kind: 'wrong-secret' as const }),
        fc.record({ kind: fc.constant('tampered' as const), at: fc.nat() }),
        fc.constant({ kind: 'truncated' as const }),
        fc.record({
          kind: fc.constant('random' as const),
          text: fc.oneof(
            fc.string({ maxLength: 90 }),
            fc.constantFrom('', 'v1=', 't=1,v1=', 'sha256=', 'v1,', '=', ','),
          ),
        }),
        fc.constant({ kind: 'missing' as const }),
        fc.record({
          kind: fc.constant('other-scheme' as const),
          scheme: fc.constantFrom(...SOURCE_NAMES),
        }),
      ),
    },
  ),
  headerEdit: fc.oneof(
    { weight: 8, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('replace' as const),
        index: fc.nat(),
        value: fc.string({ maxLength: 40 }),
      }),
    },
  ),
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(headerText) },
  ),
  contentEncoding: fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-zip') },
  ),
});
