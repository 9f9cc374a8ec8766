// A floor under any HTTP (L7) proxy, for bench:soap: a process that passes each request to
// RELAY_TARGET and streams the answer back, with node:http on both sides and nothing else (no
// body parsing, no translation, no logging). What a call through it costs over the direct call is
// the price of one more HTTP hop and process on this machine.
// Like any HTTP proxy (RFC 9110 §7.6.1) it does not forward hop-by-hop fields: each connection
// keeps its own keep-alive policy. Forwarding the supplier's `Connection: close` (php -S closes
// every connection) made the client open a new connection to the relay per call, a cost soap-proxy,
// which keeps its callers' connections alive, does not pay — the floor was higher than it is.
//   RELAY_TARGET=http://127.0.0.1:8081 PORT=9000 node bench/support/http-relay.ts
import { createServer, request, type IncomingHttpHeaders } from 'node:http';

const target = new URL(process.env['RELAY_TARGET'] ?? '');
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
]);
const endToEnd = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));

createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('ok');
    return;
  }
  const headers = { ...endToEnd(req.headers), host: target.host };
  const upstream = request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => res.writeHead(502).end(String(error)));
  req.pipe(upstream);
}).listen(Number(process.env['PORT']), '127.0.0.1');
