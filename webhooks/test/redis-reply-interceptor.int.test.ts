// The pairing the receiver-crash test relies on: redis-reply-interceptor.ts must know which reply
// answers which command, and where each reply ends — a mistake there would kill the process at the
// wrong reply (before the event's write was answered, or after its answer got through), and that
// test would pass or fail for the wrong reason. Here a fake Redis answers each command with a
// random RESP2/RESP3 reply (every type the proxy reads, nested, with attributes and pushes that
// answer no command); both it and the client cut their bytes at random points. The client must
// receive, byte for byte, what the fake Redis sent before the picked command's reply, and none of
// that reply. Seeded (@manifold/seed's mulberry32), so a failing seed can be run again.
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { createRng, type Rng as Random } from '@manifold/seed';
import { describe, expect, it, vi } from 'vitest';
import { listenAsRedis, startRedisReplyInterceptor } from './redis-reply-interceptor.ts';

const SEED = 20_260_512;
const PICKED_TRIALS = 300;
const UNPICKED_TRIALS = 20;
/** The argument that marks the picked command (random arguments are lower case: never this). */
const MARK = 'PICKME';
const picks = (args: readonly Buffer[]) => args.some((arg) => arg.toString('latin1') === MARK);
const CRLF = Buffer.from('\r\n');

/** Lets a few turns of the event loop pass, so the other side reads what has arrived so far. */
async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++)
    await new Promise<void>((resolve) => {
      setImmediate(resolve);
    });
}

// ---- Random RESP ----

/** Payload bytes, often with what a reader that ignored lengths would take for RESP framing. */
function randomPayload(random: Random, pieces: number): Buffer {
  const framing = ['\r\n', '\r', '\n', '*2\r\n', '$-1\r\n', '|1\r\n', '>', '+OK\r\n'];
  return Buffer.concat(
    Array.from({ length: random.int(0, pieces) }, () =>
      random.chance(0.3) ? Buffer.from(random.pick(framing)) : Buffer.of(random.int(0, 255)),
    ),
  );
}

/** A line's text: any bytes but CR and LF. */
function randomText(random: Random): string {
  const length = random.int(0, 12);
  return Array.from({ length }, () =>
    String.fromCharCode(random.chance(0.9) ? random.int(0x20, 0x7e) : random.int(0x80, 0xff)),
  ).join('');
}

const line = (text: string) => Buffer.from(`${text}\r\n`, 'latin1');
const blob = (type: '$' | '!' | '=', payload: Buffer) =>
  Buffer.concat([line(`${type}${payload.length}`), payload, CRLF]);

const SCALARS = ['+', '-', ':', '$', '$-1', '=', '!', '_', ',', '#', '(', '*-1'] as const;

function randomScalar(random: Random): Buffer {
  const type = random.pick(SCALARS);
  switch (type) {
    case '+':
      return line(`+${random.chance(0.3) ? 'OK' : randomText(random)}`);
    case '-':
      return line(`-ERR ${randomText(random)}`);
    case ':':
      return line(`:${random.int(-(2 ** 40), 2 ** 40)}`);
    case '$':
      return blob('$', randomPayload(random, 24));
    case '=': // verbatim string: its length counts the format prefix
      return blob(
        '=',
        Buffer.concat([Buffer.from(random.pick(['txt:', 'mkd:'])), randomPayload(random, 24)]),
      );
    case '!':
      return blob('!', Buffer.concat([Buffer.from('SYNTAX '), randomPayload(random, 12)]));
    case '_':
      return line('_');
    case ',':
      return line(
        `,${random.pick(['0', '-1.5', '3.141592653589793', '1.5e+300', 'inf', '-inf', 'nan'])}`,
      );
    case '#':
      return line(`#${random.pick(['t', 'f'])}`);
    case '(':
      return line(
        `(${random.pick(['', '-'])}${String(random.int(1, 9))}${'0'.repeat(random.int(20, 60))}`,
      );
    case '$-1': // the RESP2 nulls
    case '*-1':
      return line(type);
  }
}

type AggregateType = '*' | '~' | '%' | '>' | '|';
const MAX_DEPTH = 3;

/**
 * An aggregate of `type`: arrays, sets and pushes hold `count` values, maps and attributes
 * `count` pairs. An attribute may precede any element; it is not one of the elements.
 */
function randomAggregate(random: Random, type: AggregateType, depth: number): Buffer {
  // A push or an attribute carries something; the others may be empty.
  const count = type === '>' || type === '|' ? random.int(1, 3) : random.int(0, 3);
  const parts: Buffer[] = [line(`${type}${count}`)];
  const elements = type === '%' || type === '|' ? count * 2 : count;
  for (let index = 0; index < elements; index++) {
    if (depth < MAX_DEPTH && random.chance(0.15))
      parts.push(randomAggregate(random, '|', depth + 1));
    parts.push(randomValue(random, depth + 1));
  }
  return Buffer.concat(parts);
}

function randomValue(random: Random, depth: number): Buffer {
  return depth < MAX_DEPTH && random.chance(0.3)
    ? randomAggregate(random, random.pick(['*', '~', '%'] as const), depth)
    : randomScalar(random);
}

/** Values that answer no command, sent ahead of a reply: a push, an attribute of the reply. */
function randomOutOfBand(random: Random): Buffer {
  const parts: Buffer[] = [];
  if (random.chance(0.15)) parts.push(randomAggregate(random, '>', 1));
  if (random.chance(0.15)) parts.push(randomAggregate(random, '|', 1));
  return Buffer.concat(parts);
}

/** A command as clients send it: an array of blob strings. */
const encodeCommand = (args: readonly Buffer[]) =>
  Buffer.concat([
    line(`*${args.length}`),
    ...args.flatMap((arg) => [line(`$${arg.length}`), arg, CRLF]),
  ]);

function randomCommand(random: Random, picked: boolean): Buffer[] {
  const name = random.pick(['GET', 'SET', 'HSET', 'XADD', 'EVALSHA', 'ZADD', 'incr', 'hgetall']);
  const args = Array.from({ length: random.int(0, 4) }, () =>
    Buffer.from(randomPayload(random, 12).toString('latin1').toLowerCase(), 'latin1'),
  );
  if (picked) args.splice(random.int(0, args.length), 0, Buffer.from(MARK));
  return [Buffer.from(name), ...args];
}

// ---- The fake Redis and the client ----

interface FakeRedis {
  url: string;
  /** The commands received, in order, each its arguments. */
  commands: Buffer[][];
  /** How many reply bytes it has written so far. */
  sentLength: () => number;
  close: () => Promise<void>;
}

/** The command (an array of blob strings) starting at `at`, and where it ends; undefined while it is not all here. */
function commandAt(buffer: Buffer, at: number): { args: Buffer[]; end: number } | undefined {
  const header = buffer.indexOf(CRLF, at);
  if (header === -1) return undefined;
  const args: Buffer[] = [];
  let next = header + 2;
  for (let index = 0; index < Number(buffer.toString('latin1', at + 1, header)); index++) {
    const length = buffer.indexOf(CRLF, next);
    if (length === -1) return undefined;
    const start = length + 2;
    const end = start + Number(buffer.toString('latin1', next + 1, length));
    if (end + 2 > buffer.length) return undefined;
    args.push(buffer.subarray(start, end));
    next = end + 2;
  }
  return { args, end: next };
}

/**
 * A "Redis" that answers its `index`-th command with `replyTo(index)`, as one stream of bytes cut
 * at random points into writes, a few turns apart — and, when several replies are due, sometimes
 * several in one write. `written` hears how many bytes it has written after each write.
 */
async function startFakeRedis(
  replyTo: (index: number) => Buffer,
  random: Random,
  written: (sentLength: number) => void = () => undefined,
): Promise<FakeRedis> {
  const commands: Buffer[][] = [];
  const sockets = new Set<Socket>();
  let sentLength = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    // Each write goes out as cut (no Nagle), and a trial does not wait on a delayed ACK.
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // the proxy drops the connection mid-reply: expected
    let received = Buffer.alloc(0);
    let pending = Buffer.alloc(0);
    let pumping = false;
    const pump = async () => {
      pumping = true;
      while (pending.length > 0 && !socket.destroyed) {
        await turns(random.int(0, 3));
        const size = random.chance(0.05)
          ? pending.length
          : random.int(1, Math.min(pending.length, 40));
        const piece = pending.subarray(0, size);
        pending = pending.subarray(size);
        sentLength += piece.length;
        written(sentLength);
        socket.write(piece);
      }
      pumping = false;
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      for (let command = commandAt(received, 0); command; command = commandAt(received, 0)) {
        pending = Buffer.concat([pending, replyTo(commands.length)]);
        commands.push(command.args);
        received = received.subarray(command.end);
      }
      if (!pumping) void pump();
    });
  });
  return {
    ...(await listenAsRedis(server, sockets)),
    commands,
    sentLength: () => sentLength,
  };
}

interface RawClient {
  received: () => Buffer;
  closed: () => boolean;
  /** Writes `bytes` cut at random points, a few turns apart, until done or the connection ends. */
  send: (bytes: Buffer, random: Random) => Promise<void>;
  destroy: () => void;
}

async function connectClient(url: string): Promise<RawClient> {
  const socket = createConnection({ host: '127.0.0.1', port: Number(new URL(url).port) });
  socket.setNoDelay(true); // as the fake Redis's
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined); // a connection the proxy drops (SUBSCRIBE): expected
  socket.on('close', () => {
    closed = true;
  });
  await once(socket, 'connect');
  return {
    received: () => Buffer.concat(chunks),
    closed: () => closed,
    send: async (bytes, random) => {
      for (let at = 0; at < bytes.length && socket.writable;) {
        const size = random.chance(0.05) ? bytes.length - at : random.int(1, 48);
        socket.write(bytes.subarray(at, at + size));
        at += size;
        await turns(random.int(0, 2));
      }
    },
    destroy: () => socket.destroy(),
  };
}

// ---- The trials ----

/** One exchange per command: what the fake Redis sends for it, out-of-band values first. */
interface Exchange {
  command: Buffer[];
  outOfBand: Buffer;
  reply: Buffer;
}

function randomExchanges(random: Random, count: number, picked: number | undefined): Exchange[] {
  return Array.from({ length: count }, (_, index) => ({
    command: randomCommand(random, index === picked),
    outOfBand: randomOutOfBand(random),
    reply: randomValue(random, 0),
  }));
}

const bytesFor = (exchanges: readonly Exchange[]) =>
  Buffer.concat(exchanges.flatMap(({ outOfBand, reply }) => [outOfBand, reply]));

/** Runs one seeded trial: `pick` says whether one of its commands is picked. */
async function trial(seed: number, pick: boolean): Promise<void> {
  const random = createRng(seed, 'exchanges');
  // Their own streams for the cuts, so the exchanges depend on the seed alone, not on timing.
  const serverRandom = createRng(seed, 'fake redis cuts');
  const clientRandom = createRng(seed, 'client cuts');
  const count = random.int(20, 60);
  const picked = pick ? random.int(0, count - 1) : undefined;
  const exchanges = randomExchanges(random, count, picked);
  const commandBytes = Buffer.concat(exchanges.map((exchange) => encodeCommand(exchange.command)));
  // Reply bytes the fake Redis had written when onReply ran.
  const onReplyCalls: number[] = [];
  // Everything before the picked reply, out-of-band values included (an attribute of the picked
  // reply too: it answers no command, and goes on once whole); then where that reply ends.
  const before =
    picked === undefined
      ? undefined
      : Buffer.concat([bytesFor(exchanges.slice(0, picked)), exchanges[picked]!.outOfBand]);
  const pickedEnd =
    picked === undefined || before === undefined
      ? Infinity
      : before.length + exchanges[picked]!.reply.length;
  // Whether onReply had run by the time the picked reply's last byte was about to be written.
  let repliedBeforeItsEnd: boolean | undefined;
  // The client goes on sending while the picked reply arrives, or has sent everything already:
  // either way it must get every reply before that one (the proxy ends the connection; destroyed,
  // with the client's later commands unread, the kernel would reset it and could lose them).
  const fake = await startFakeRedis(
    (index) => bytesFor(exchanges.slice(index, index + 1)),
    serverRandom,
    (sentLength) => {
      if (repliedBeforeItsEnd === undefined && sentLength >= pickedEnd)
        repliedBeforeItsEnd = onReplyCalls.length > 0;
    },
  );
  const proxy = await startRedisReplyInterceptor({
    target: fake.url,
    picks,
    onReply: () => onReplyCalls.push(fake.sentLength()),
  });
  const client = await connectClient(proxy.url);
  const context = `seed ${seed}, picked ${String(picked)} of ${exchanges.length}`;
  try {
    const sending = client.send(commandBytes, clientRandom);
    if (picked === undefined || before === undefined) {
      const expected = bytesFor(exchanges);
      await vi.waitFor(
        () => {
          expect(client.received().length, context).toBeGreaterThanOrEqual(expected.length);
        },
        { timeout: 5_000, interval: 2 },
      );
      await sending;
      expect(client.received().toString('latin1'), context).toBe(expected.toString('latin1'));
      expect(onReplyCalls, context).toEqual([]);
      expect(proxy.intercepted(), context).toBe(false);
      expect(client.closed(), context).toBe(false);
      // Commands go through unchanged, in order.
      expect(fake.commands, context).toEqual(exchanges.map((exchange) => exchange.command));
      return;
    }
    await vi.waitFor(
      () => {
        expect(client.closed(), context).toBe(true);
      },
      { timeout: 5_000, interval: 2 },
    );
    await sending;
    // Everything before the picked reply, and nothing of the reply itself.
    expect(client.received().toString('latin1'), context).toBe(before.toString('latin1'));
    expect(onReplyCalls, context).toHaveLength(1);
    // onReply ran once the picked reply had all arrived: not before its last byte was written.
    expect(repliedBeforeItsEnd, context).toBe(false);
    expect(onReplyCalls[0], context).toBeGreaterThanOrEqual(pickedEnd);
    expect(proxy.intercepted(), context).toBe(true);
    expect(fake.commands.slice(0, picked + 1), context).toEqual(
      exchanges.slice(0, picked + 1).map((exchange) => exchange.command),
    );
  } finally {
    client.destroy();
    await proxy.close();
    await fake.close();
  }
}

describe('the Redis reply interceptor', () => {
  it(`pairs each reply with its command: ${PICKED_TRIALS} random exchanges, one command picked in each`, async () => {
    for (let index = 0; index < PICKED_TRIALS; index++) await trial(SEED + index, true);
  });

  it(`passes every reply on, whole and in order, when no command is picked: ${UNPICKED_TRIALS} random exchanges`, async () => {
    for (let index = 0; index < UNPICKED_TRIALS; index++)
      await trial(SEED + PICKED_TRIALS + index, false);
  });

  // ioredis sends command names in lower case, as given.
  it.each([
    { name: 'subscribe', command: ['subscribe', 'events'] },
    { name: 'PSUBSCRIBE', command: ['PSUBSCRIBE', 'events:*'] },
    { name: 'SSUBSCRIBE', command: ['SSUBSCRIBE', 'events'] },
    { name: 'MONITOR', command: ['MONITOR'] },
    { name: 'CLIENT REPLY', command: ['CLIENT', 'REPLY', 'OFF'] },
  ])(
    'drops a connection that sends $name: replies no longer pair with commands after it',
    async ({ command }) => {
      const fake = await startFakeRedis(() => line('+OK'), createRng(SEED, 'cuts'));
      const proxy = await startRedisReplyInterceptor({
        target: fake.url,
        picks: () => false,
        onReply: () => undefined,
      });
      const client = await connectClient(proxy.url);
      try {
        // A CLIENT command other than CLIENT REPLY pairs as any other: it goes through, answered.
        await client.send(
          encodeCommand(['CLIENT', 'SETNAME', 'interceptor-test'].map((arg) => Buffer.from(arg))),
          createRng(SEED, 'cuts'),
        );
        await vi.waitFor(
          () => {
            expect(client.received().toString()).toBe('+OK\r\n');
          },
          { timeout: 5_000, interval: 2 },
        );
        await client.send(
          encodeCommand(command.map((arg) => Buffer.from(arg))),
          createRng(SEED, 'cuts'),
        );
        await vi.waitFor(
          () => {
            expect(client.closed()).toBe(true);
          },
          { timeout: 5_000, interval: 2 },
        );
        expect(client.received().toString()).toBe('+OK\r\n');
      } finally {
        client.destroy();
        await proxy.close();
        await fake.close();
      }
    },
  );
});
