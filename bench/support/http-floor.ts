// The HTTP floor bench:webhooks puts beside the webhooks service: a bare node:http server, in a
// process of its own on the service's core, that reads each request's body and answers 202 with a
// small JSON body — the HTTP work every ingest pays before verifying or storing anything.
// Prints `{ "port": n }` once listening; runs until killed.
//   node http-floor.ts
import { createServer } from 'node:http';

const ANSWER = JSON.stringify({ status: 'accepted' });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json; charset=utf-8' }).end(ANSWER);
  });
}).listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
