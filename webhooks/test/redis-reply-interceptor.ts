// A TCP proxy in front of a real Redis that acts on the reply to one command: when Redis answers a
// command `picks`, the proxy calls `onReply` and ends that connection instead of passing the
// answer on. The receiver-crash test kills the webhooks process there: Redis has run and fsync'd
// the event's write (it answers only then), and the service has not seen the answer, so it cannot
// have acknowledged the event — the window between persist and answer, reached from outside.
//
// It reads RESP (2 and 3: ioredis speaks 3 by default) only as far as it must: the clients'
// commands, to know which command each reply answers (Redis answers a connection's commands in
// order), and where each reply ends. Commands go through as they come; replies are passed on
// whole, each once it has all arrived. Not for a connection in pub/sub mode, under MONITOR or
// CLIENT REPLY OFF (replies there do not pair one to one with commands): it refuses those.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface RedisReplyInterceptor {
  /** `redis://127.0.0.1:<port>`: give it to the process under test as its Redis. */
  url: string;
  /** Whether a picked command's reply has been intercepted. */
  intercepted: () => boolean;
  close: () => Promise<void>;
}

const CR = 0x0d;
const LF = 0x0a;
/** Commands after which replies no longer pair one to one with commands. */
const UNPAIRED = new Set(['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'MONITOR', 'CLIENT']);

/** The end of the line starting at `at` (the index after its CRLF), or -1 if it is not all here. */
function lineEnd(buffer: Buffer, at: number): number {
  const cr = buffer.indexOf(CR, at);
  if (cr === -1 || cr + 1 >= buffer.length) return -1;
  if (buffer[cr + 1] !== LF) throw new Error('RESP: a line ends without CRLF');
  return cr + 2;
}

/** The number a RESP header line (`*3`, `$12`, `%2`) carries. */
const headerNumber = (buffer: Buffer, at: number, end: number) =>
  Number(buffer.toString('latin1', at + 1, end - 2));

/**
 * Where the RESP value starting at `at` ends, and its type byte; undefined while it is not all
 * here. RESP3's attribute (`|`) and push (`>`) values answer no command: the caller skips them
 * (an attribute inside an aggregate is not one of its elements either).
 */
function valueEnd(buffer: Buffer, at: number): { end: number; type: string } | undefined {
  if (at >= buffer.length) return undefined;
  const type = String.fromCharCode(buffer[at]!);
  const end = lineEnd(buffer, at);
  if (end === -1) return undefined;
  switch (type) {
    case '$': // blob string, blob error, verbatim string: <length>\r\n<bytes>\r\n
    case '!':
    case '=': {
      const length = headerNumber(buffer, at, end);
      if (length < 0) return { end, type };
      return end + length + 2 <= buffer.length ? { end: end + length + 2, type } : undefined;
    }
    case '*': // array, set, push: <count> values; map, attribute: <count> pairs
    case '~':
    case '>':
    case '%':
    case '|': {
      const count = headerNumber(buffer, at, end) * (type === '%' || type === '|' ? 2 : 1);
      let next = end;
      for (let index = 0; index < count;) {
        const element = valueEnd(buffer, next);
        if (element === undefined) return undefined;
        next = element.end;
        if (element.type !== '|') index++;
      }
      return { end: next, type };
    }
    default: // one line: simple string, error, integer, null, double, boolean, big number
      return { end, type };
  }
}

/** A client's command (an array of blob strings), and where it ends; undefined while it is not all here. */
function commandAt(buffer: Buffer, at: number): { args: Buffer[]; end: number } | undefined {
  const header = lineEnd(buffer, at);
  if (header === -1) return undefined;
  if (buffer[at] !== 0x2a) throw new Error('the interceptor reads RESP arrays of commands only');
  const args: Buffer[] = [];
  let next = header;
  for (let index = 0; index < headerNumber(buffer, at, header); index++) {
    const arg = valueEnd(buffer, next);
    if (arg === undefined) return undefined;
    const line = lineEnd(buffer, next);
    args.push(buffer.subarray(line, arg.end - 2));
    next = arg.end;
  }
  const name = args[0]?.toString().toUpperCase() ?? '';
  const sub = args[1]?.toString().toUpperCase();
  if (UNPAIRED.has(name) && (name !== 'CLIENT' || sub === 'REPLY'))
    throw new Error(`the interceptor cannot pair replies after ${name}`);
  return { args, end: next };
}

/**
 * Starts the proxy to the Redis at `target`. `picks` sees each command's arguments (name first);
 * `onReply` runs, once, when the reply to the first picked command to be answered has all
 * arrived from Redis — before any of it reaches the client, which gets every reply before it and
 * then the end of the connection (what it sends after goes nowhere). `onReply` must end the client
 * (a client that reconnects through the proxy would send its unanswered commands again). A
 * connection it cannot read is dropped.
 */
export async function startRedisReplyInterceptor({
  target,
  picks,
  onReply,
}: {
  target: string;
  picks: (args: readonly Buffer[]) => boolean;
  onReply: () => void;
}): Promise<RedisReplyInterceptor> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let done = false;
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port || 6379) });
    sockets.add(client).add(upstream);
    // For each command sent and not yet answered, in order: whether it was picked.
    const unanswered: boolean[] = [];
    let commands = Buffer.alloc(0);
    // Reply bytes not passed on yet: the start of a reply still arriving.
    let replies = Buffer.alloc(0);
    // Once the picked reply is held back: the client's side is ended; it closes once the client
    // ends its own, or at close().
    let ending = false;
    const drop = (error?: unknown) => {
      if (!ending) client.destroy(error instanceof Error ? error : undefined);
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      // What the client sends after the picked reply goes nowhere: read and left.
      if (ending) return;
      upstream.write(chunk);
      commands = Buffer.concat([commands, chunk]);
      try {
        for (let command = commandAt(commands, 0); command; command = commandAt(commands, 0)) {
          unanswered.push(picks(command.args));
          commands = commands.subarray(command.end);
        }
      } catch (error) {
        drop(error);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      replies = Buffer.concat([replies, chunk]);
      let whole = 0; // the replies (and out-of-band values) complete so far, passed on together
      try {
        for (let reply = valueEnd(replies, whole); reply; reply = valueEnd(replies, whole)) {
          const answered = reply.type === '|' || reply.type === '>' ? false : unanswered.shift();
          if (answered === true && !done) {
            done = true;
            // Ended, not destroyed: a socket destroyed with the client's later commands unread
            // would reset the connection, and the replies just passed on could be lost with it.
            ending = true;
            client.end(replies.subarray(0, whole));
            upstream.destroy();
            onReply();
            return;
          }
          whole = reply.end;
        }
      } catch (error) {
        drop(error);
        return;
      }
      if (whole > 0) client.write(replies.subarray(0, whole));
      replies = replies.subarray(whole);
    });
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return { ...(await listenAsRedis(server, sockets)), intercepted: () => done };
}

/**
 * `server` listening on a free loopback port, as the `redis://` URL a client connects to, and how
 * to close it: every connection in `sockets` destroyed first (a client's open connection would
 * keep `close` waiting).
 */
export async function listenAsRedis(
  server: Server,
  sockets: ReadonlySet<Socket>,
): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no loopback address');
  return {
    url: `redis://127.0.0.1:${String(address.port)}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
