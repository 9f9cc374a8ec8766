// A floor under any HTTP (L7) proxy, for bench:soap: a process that passes each request to
// RELAY_TARGET and streams the answer back, with node:http on both sides and nothing else (no
// body parsing, no translation, no logging). What a call through it costs over the direct call is
// the price of one more HTTP hop and process on this machine.
//   RELAY_TARGET=http://127.0.0.1:8081 PORT=9000 node bench/support/http-relay.ts
import { createServer, request } from 'node:http';

const target = new URL(process.env['RELAY_TARGET'] ?? '');

createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('ok');
    return;
  }
  const headers = { ...req.headers, host: target.host };
  delete headers.connection;
  const upstream = request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => res.writeHead(502).end(String(error)));
  req.pipe(upstream);
}).listen(Number(process.env['PORT']), '127.0.0.1');
