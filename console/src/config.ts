import { BaseEnv, commaList, httpUrl, port } from '@manifold/platform/config';
import { DEFAULT_PORTS, defaultUrl, type ServiceName } from '@manifold/platform/contracts';
import { z } from 'zod';

/** The Node services `npm start` runs, at their default addresses. */
const WATCHED: readonly ServiceName[] = [
  'gateway',
  'users',
  'products',
  'orders',
  'content',
  'soap-proxy',
  'legacy-rest-adapter',
];
const DEFAULT_TARGETS = WATCHED.map((name) => `${name}=${defaultUrl(name)}`).join(',');

const target = z
  .string()
  .regex(/^[\w.-]+=https?:\/\/\S+$/i, 'expected name=http(s)://host:port')
  .transform((entry) => {
    const at = entry.indexOf('=');
    return { name: entry.slice(0, at), url: entry.slice(at + 1).replace(/\/+$/, '') };
  });

export const ConsoleEnv = BaseEnv.extend({
  PORT: port(DEFAULT_PORTS.console),
  /** The services to watch, `name=url` comma-separated; default every service at its default port. */
  CONSOLE_TARGETS: commaList()
    .transform((entries) => (entries.length === 0 ? DEFAULT_TARGETS.split(',') : entries))
    .pipe(z.array(target).min(1)),
  /** How often each service is asked, and the page refreshed (ms). */
  CONSOLE_REFRESH_MS: z.coerce.number().int().min(500).default(2_000),
  /** How much of the recent past rates, ratios and p95 cover (s). */
  CONSOLE_WINDOW_SECONDS: z.coerce.number().int().min(10).default(300),
  /** Where a trace id links to, `{traceId}` replaced (Jaeger: http://localhost:16686/trace/{traceId}). */
  CONSOLE_TRACE_URL: z.string().includes('{traceId}').optional(),
  /**
   * The webhooks service whose dead letters the console shows and replays, with the console's
   * own credential (webhooks:read, and webhooks:replay to replay): an API key in
   * CONSOLE_WEBHOOKS_API_KEY (or _FILE), or client credentials — CONSOLE_WEBHOOKS_TOKEN_URL,
   * CONSOLE_WEBHOOKS_CLIENT_ID and CONSOLE_WEBHOOKS_CLIENT_SECRET (or _FILE), as `npm start` sets them.
   */
  CONSOLE_WEBHOOKS_URL: httpUrl().default(defaultUrl('webhooks')),
  /** The identity provider's token endpoint, for a token by client credentials. */
  CONSOLE_WEBHOOKS_TOKEN_URL: httpUrl().optional(),
  CONSOLE_WEBHOOKS_CLIENT_ID: z.string().min(1).default('webhooks-operator'),
});
export type ConsoleEnv = z.infer<typeof ConsoleEnv>;
