import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { z } from 'zod';

// OTLP/HTTP with the JSON encoding (OTEL_EXPORTER_OTLP_PROTOCOL=http/json), as the specification
// defines it: ids in hex, attributes as key/AnyValue pairs, 64-bit integers as strings.
const AnyValue = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  doubleValue: z.number().optional(),
});
const KeyValue = z.object({ key: z.string(), value: AnyValue });
const HexId = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
const ExportTraceServiceRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: z.array(KeyValue).default([]) }),
      scopeSpans: z.array(
        z.object({
          scope: z.object({ name: z.string() }).optional(),
          spans: z.array(
            z.object({
              traceId: HexId(16),
              spanId: HexId(8),
              parentSpanId: z.union([HexId(8), z.literal('')]).optional(),
              name: z.string(),
              kind: z.number().int(),
              attributes: z.array(KeyValue).default([]),
            }),
          ),
        }),
      ),
    }),
  ),
});

/** One span as received, flattened with its resource's `service.name`. */
export interface ReceivedSpan {
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

const plain = (value: z.infer<typeof AnyValue>): string | number | boolean =>
  value.stringValue ??
  value.boolValue ??
  (value.intValue === undefined ? undefined : Number(value.intValue)) ??
  value.doubleValue ??
  '';
const attributesOf = (pairs: z.infer<typeof KeyValue>[]) =>
  Object.fromEntries(pairs.map(({ key, value }) => [key, plain(value)]));

export interface OtlpReceiver {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Requests that were not valid OTLP/JSON (they failed with 400/415). */
  rejected: string[];
  close: () => Promise<void>;
}

/** A real OTLP/HTTP trace receiver (JSON encoding) on a free loopback port, as a collector would run it. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const rejected: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        if (!req.headers['content-type']?.startsWith('application/json')) {
          rejected.push(`content-type ${req.headers['content-type'] ?? '(none)'}`);
          res.writeHead(415).end();
          return;
        }
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = await promisify(gunzip)(body);
        const parsed = ExportTraceServiceRequest.safeParse(JSON.parse(body.toString('utf8')));
        if (!parsed.success) {
          rejected.push(z.prettifyError(parsed.error));
          res.writeHead(400).end();
          return;
        }
        for (const { resource, scopeSpans } of parsed.data.resourceSpans) {
          const service = String(attributesOf(resource.attributes)['service.name'] ?? '');
          for (const { scope, spans: received } of scopeSpans)
            for (const span of received)
              spans.push({
                service,
                scope: scope?.name ?? '',
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId === '' ? undefined : span.parentSpanId,
                name: span.name,
                kind: span.kind,
                attributes: attributesOf(span.attributes),
              });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    spans,
    rejected,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
