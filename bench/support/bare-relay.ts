// The floor under any HTTP proxy, for bench:soap: a process that forwards each request's bytes to
// RELAY_TARGET and the answer's bytes back, and does nothing else (no parsing, no translation, no
// logging). Whatever a call through it costs over the direct call is the price of one more hop and
// process on this machine, which no proxy (ours or a peer's) can avoid.
//   RELAY_TARGET=http://127.0.0.1:8081 PORT=9000 node bench/support/bare-relay.ts
import { createServer } from 'node:http';
import { Agent } from 'undici';

const target = new URL(process.env['RELAY_TARGET'] ?? '');
const port = Number(process.env['PORT']);
const upstream = new Agent();

createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const headers = { ...req.headers, host: target.host };
    delete headers.connection;
    upstream
      .request({
        origin: target.origin,
        path: req.url ?? '/',
        method: req.method as 'POST',
        headers,
        body: Buffer.concat(chunks),
      })
      .then(async (answer) => {
        const body = Buffer.from(await answer.body.arrayBuffer());
        res.writeHead(answer.statusCode, {
          'content-type': String(answer.headers['content-type'] ?? 'text/xml'),
          'content-length': body.length,
        });
        res.end(body);
      })
      .catch((error: unknown) => {
        res.writeHead(502).end(String(error));
      });
  });
}).listen(port, '127.0.0.1');
