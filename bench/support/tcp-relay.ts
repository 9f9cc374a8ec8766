// The floor under any proxy at all, for bench:soap: a process that splices each TCP connection to
// RELAY_TARGET, byte for byte, without reading HTTP (what an L4 load balancer does). What a call
// through it costs over the direct call is the price of one more process on the path.
//   RELAY_TARGET=http://127.0.0.1:8081 PORT=9000 node bench/support/tcp-relay.ts
// Readiness: GET /healthz through it reaches the target's own /healthz.
import { connect, createServer } from 'node:net';

const target = new URL(process.env['RELAY_TARGET'] ?? '');

createServer((client) => {
  const upstream = connect(Number(target.port), target.hostname);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}).listen(Number(process.env['PORT']), '127.0.0.1');
