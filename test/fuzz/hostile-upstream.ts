import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What a legacy system actually sends when it misbehaves, one mode each. The answers are built
 * for both kinds of upstream we front: the PHP monolith (JSON sent as text/html, one XML page) and
 * a SOAP supplier (envelopes).
 */
export const HOSTILE_MODES = [
  /** JSON cut off mid-object, HTTP 200. */
  'malformed-json',
  /** XML that never closes its elements, HTTP 200. */
  'malformed-xml',
  /** Content-Length promises 4 KiB, 100 bytes come, the connection drops. */
  'truncated',
  /** UTF-8 bytes labelled UTF-16: decoded, they are nonsense. */
  'wrong-charset',
  /** Well-formed, HTTP 200, but not the record asked for (fields missing, wrong types). */
  'broken-record',
  /** A PHP fatal error page, HTTP 200. */
  'html-error',
  /** HTTP 500 with a body of random-looking bytes. */
  'server-error',
  /** An empty body, HTTP 200. */
  'empty',
  /** The connection is reset before any answer. */
  'reset',
  /** 50 MB of one JSON string / XML text node, streamed without a Content-Length. */
  'huge',
  /** One byte per second, for ever. */
  'drip',
] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

export interface HostileUpstream {
  url: string;
  /** What the next answers are (a test switches it between requests). */
  mode: HostileMode;
  /** Calls answered hostile so far (logins excluded): a request that reached the upstream. */
  calls: () => number;
  /** The most bytes any one `huge` answer got to send before its reader hung up. */
  hugestSent: () => number;
  close: () => Promise<void>;
}

export interface HostileUpstreamOptions {
  /** @default 50 MB, as the issue asks */
  hugeBytes?: number;
  /** @default 1000 (a byte per second) */
  dripIntervalMs?: number;
}

const MIB = 1024 * 1024;

const isSoap = (req: IncomingMessage) =>
  req.headers['soapaction'] !== undefined || /soap|xml/.test(req.headers['content-type'] ?? '');

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

/** A start that looks right, for answers that then go wrong. */
const opening = (soap: boolean) =>
  soap
    ? '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetStockLevelResponse xmlns="urn:manifold:supplier"><level><sku>'
    : '{"status":"ok","customer":{"id":"1","name":"Ann';

const typeOf = (soap: boolean) => (soap ? 'text/xml; charset=UTF-8' : 'text/html; charset=UTF-8');

interface Options extends Required<HostileUpstreamOptions> {
  /** Told how far each `huge` answer got. */
  onHugeSent: (bytes: number) => void;
}

function answer(
  mode: HostileMode,
  req: IncomingMessage,
  res: ServerResponse,
  options: Options,
): void {
  const soap = isSoap(req);
  switch (mode) {
    case 'malformed-json':
      res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
      res.end('{"status":"ok","customer":{"id":"1","name":');
      return;
    case 'malformed-xml':
      res.writeHead(200, { 'content-type': 'text/xml; charset=UTF-8' });
      res.end(soap ? opening(true) : '<history customer="1" total="2"><event><id>1</id><points>');
      return;
    case 'truncated':
      res.writeHead(200, { 'content-type': typeOf(soap), 'content-length': '4096' });
      res.write(opening(soap).padEnd(100, ' ').slice(0, 100));
      setTimeout(() => {
        res.destroy();
      }, 10);
      return;
    case 'wrong-charset': {
      const text = soap
        ? envelope('<GetStockLevelResponse xmlns="urn:manifold:supplier"/>')
        : '{"status":"ok","total":"0","tickets":[],"customer":{"id":"1"}}';
      res.writeHead(200, {
        'content-type': `${soap ? 'text/xml' : 'text/html'}; charset=UTF-16LE`,
      });
      res.end(Buffer.from(text, 'utf8'));
      return;
    }
    case 'broken-record':
      res.writeHead(200, { 'content-type': typeOf(soap) });
      res.end(
        soap
          ? envelope(
              '<GetStockLevelResponse xmlns="urn:manifold:supplier"><level><sku>?</sku><available>lots</available></level></GetStockLevelResponse>',
            )
          : JSON.stringify({
              status: 'ok',
              total: 'many',
              customer: { id: 'x', email: 7 },
              invoice: null,
              ticket: 'closed',
              tickets: [{ id: [] }],
              invoices: {},
              balance: 'lots',
            }),
      );
      return;
    case 'html-error':
      res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
      res.end(
        '<html><body><b>Fatal error</b>: Allowed memory size exhausted in /var/www/index.php on line 42</body></html>',
      );
      return;
    case 'server-error':
      res.writeHead(500, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x7b, 0x22]));
      return;
    case 'empty':
      res.writeHead(200, { 'content-type': typeOf(soap), 'content-length': '0' });
      res.end();
      return;
    case 'reset':
      req.socket.destroy();
      return;
    case 'huge':
      streamHuge(res, soap, options);
      return;
    case 'drip':
      drip(res, soap, options.dripIntervalMs);
      return;
  }
}

/** `hugeBytes` of filler inside a document that would otherwise be fine, as fast as it is read. */
function streamHuge(
  res: ServerResponse,
  soap: boolean,
  { hugeBytes, onHugeSent }: Pick<Options, 'hugeBytes' | 'onHugeSent'>,
): void {
  res.writeHead(200, { 'content-type': typeOf(soap) });
  res.write(opening(soap));
  const chunk = Buffer.alloc(64 * 1024, 'A');
  let sent = 0;
  const pump = () => {
    while (sent < hugeBytes) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end(soap ? '</sku></level></GetStockLevelResponse></soap:Body></soap:Envelope>' : '"}}');
  };
  res.on('close', () => {
    onHugeSent(sent);
    sent = hugeBytes; // the client gave up: stop producing
  });
  pump();
}

/** A well-formed start, then a byte every `intervalMs` until the client hangs up. */
function drip(res: ServerResponse, soap: boolean, intervalMs: number): void {
  res.writeHead(200, { 'content-type': typeOf(soap) });
  res.flushHeaders();
  const text = opening(soap);
  let at = 0;
  const timer = setInterval(() => {
    res.write(text[at % text.length] ?? ' ');
    at++;
  }, intervalMs);
  res.on('close', () => {
    clearInterval(timer);
  });
}

/**
 * A small upstream that answers every call in the current `mode` — except the monolith's login,
 * which it grants (a 302 with a session cookie), so the adapter gets as far as reading. Stands in
 * for the PHP monolith (LEGACY_URL) or a SOAP supplier (its endpoint).
 */
export async function startHostileUpstream({
  hugeBytes = 50 * MIB,
  dripIntervalMs = 1_000,
}: HostileUpstreamOptions = {}): Promise<HostileUpstream> {
  let calls = 0;
  let hugestSent = 0;
  const onHugeSent = (bytes: number) => {
    hugestSent = Math.max(hugestSent, bytes);
  };
  const state: { mode: HostileMode } = { mode: 'malformed-json' };
  const server = createServer((req, res) => {
    req.resume();
    if (req.url?.includes('action=login')) {
      res.writeHead(302, {
        location: 'index.php?action=home',
        'set-cookie': 'PHPSESSID=hostile; path=/',
      });
      res.end();
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    calls++;
    answer(state.mode, req, res, { hugeBytes, dripIntervalMs, onHugeSent });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    get mode() {
      return state.mode;
    },
    set mode(mode: HostileMode) {
      state.mode = mode;
    },
    calls: () => calls,
    hugestSent: () => hugestSent,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
