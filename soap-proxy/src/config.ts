import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FrontDoorAuthEnv, resourceScopes, type ScopesFor } from '@manifold/platform/auth';
import { BaseEnv, ConfigError, httpUrl, port } from '@manifold/platform/config';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { WebhooksQueueEnv } from '@manifold/platform/dead-letters';
import { RateLimitEnv } from '@manifold/platform/rate-limit';
import { z } from 'zod';
import { isUrl } from './wsdl/load.ts';

export const SoapProxyEnv = BaseEnv.extend({
  ...FrontDoorAuthEnv.shape,
  ...RateLimitEnv.shape,
  /** The webhooks queue, where ambiguous non-idempotent failures are recorded. */
  ...WebhooksQueueEnv.shape,
  PORT: port(DEFAULT_PORTS['soap-proxy']),
  /** The services file (see soap-proxy/services.json). */
  SOAP_PROXY_CONFIG: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../services.json', import.meta.url))),
  /** Read by services.json (`${SUPPLIER_URL}`): where the reference SOAP supplier listens. */
  SUPPLIER_URL: httpUrl().optional(),
  /** Read by services.json: soap-proxy's login to the reference supplier (defaults: the supplier's own). */
  SUPPLIER_USERNAME: z.string().min(1).optional(),
  SUPPLIER_PASSWORD: z.string().min(1).optional(),
  /** Read by services.json: the reference supplier's published rate limit (calls per second, this replica). */
  SUPPLIER_CALLS_PER_SECOND: z.coerce.number().positive().optional(),
  /** Read by services.json: longest a request waits for its turn at the supplier before 503 + Retry-After. */
  SUPPLIER_WAIT_BUDGET_MS: z.coerce.number().int().nonnegative().optional(),
});
export type SoapProxyEnv = z.infer<typeof SoapProxyEnv>;

const OperationConfig = z
  .strictObject({
    /** Read-only: cacheable, and offered as GET too. */
    safe: z.boolean().default(false),
    /** Safe to repeat: retried on transient failures. Safe operations are idempotent. */
    idempotent: z.boolean().default(false),
    /** How long a cached answer is fresh (safe operations only). */
    cacheTtlSeconds: z.number().int().nonnegative().default(0),
    /** How long after going stale an answer may still be served when the supplier fails. */
    staleIfErrorSeconds: z.number().int().nonnegative().default(3_600),
  })
  // Checked per operation, so that a mistake elsewhere in the file does not hide it.
  .superRefine((settings, context) => {
    if (settings.cacheTtlSeconds > 0 && !settings.safe)
      context.addIssue({
        code: 'custom',
        path: ['cacheTtlSeconds'],
        message: 'only safe operations are cached: set "safe": true or remove the TTL',
      });
  });
export type OperationConfig = z.infer<typeof OperationConfig>;

const Auth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('basic'), username: z.string().min(1), password: z.string() }),
  z.strictObject({
    type: z.literal('wsse'),
    username: z.string().min(1),
    password: z.string(),
    passwordType: z.enum(['PasswordText', 'PasswordDigest']).default('PasswordDigest'),
  }),
  z.strictObject({
    type: z.literal('mtls'),
    certPath: z.string().min(1),
    keyPath: z.string().min(1),
    caPath: z.string().min(1).optional(),
  }),
]);
export type AuthConfig = z.infer<typeof Auth>;

const Resilience = z.strictObject({
  /** Attempts in all for idempotent operations (1 = no retries). */
  maxAttempts: z.number().int().min(1).max(5).default(5),
  /** First backoff ceiling (full jitter). */
  initialDelayMs: z.number().int().nonnegative().default(100),
  /** Longest wait between two attempts, the supplier's Retry-After included. */
  maxDelayMs: z.number().int().nonnegative().default(5_000),
  /** Consecutive failed calls (after their retries; transient failures only) that open the circuit. */
  breakerThreshold: z.number().int().positive().default(5),
  /** How long an open circuit waits before letting one probe through. */
  halfOpenAfterMs: z.number().int().positive().default(10_000),
});

/**
 * The service's own published rate limit, respected from our side; numbers may come as text
 * (`"${SUPPLIER_CALLS_PER_SECOND:-}"` in the file), empty meaning unset.
 */
const optionalNumber = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.coerce.number().positive().optional(),
);
const UpstreamLimit = z.strictObject({
  /** Calls per second this replica may make; unset = none published (only its push-backs count). */
  callsPerSecond: optionalNumber,
  /** Longest a request waits for its turn before 503 with Retry-After. @default 2000 */
  waitBudgetMs: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce.number().int().nonnegative().default(2_000),
  ),
});

/** A SOAP header every call of the service carries (its JSON schema is in /openapi.json). */
const SoapHeaderSetting = z.strictObject({
  /** The header's value as JSON; left out for the session's header, which the login fills in. */
  value: z.unknown().optional(),
  /** Sent as `mustUnderstand` (1/0 in SOAP 1.1, true/false in SOAP 1.2). */
  mustUnderstand: z.boolean().optional(),
  /** Sent as `actor` (SOAP 1.1) or `role` (SOAP 1.2). */
  actor: z.string().min(1).optional(),
});
export type SoapHeaderSetting = z.infer<typeof SoapHeaderSetting>;

const jsonPointer = z.string().regex(/^(\/[^/]*)*$/, 'a JSON pointer, such as /result/sessionId');

/** Logs in once, keeps the session, and puts it into a SOAP header of every call. */
const SessionConfig = z.strictObject({
  /** The login operation of the WSDL. */
  operation: z.string().min(1),
  /** Its input (credentials via `${VAR}`). */
  input: z.record(z.string(), z.unknown()).default({}),
  /** Where the session token is in the login's answer. */
  token: jsonPointer,
  /** Where a new endpoint URL is in the login's answer, when the supplier hands one out. */
  endpoint: jsonPointer.optional(),
  /** The SOAP header that carries the session. */
  header: z.string().min(1),
  /** Where the token goes in that header's JSON ('' when the header is the token itself). */
  headerPointer: jsonPointer.default(''),
  /** How long a session is used before logging in again. */
  ttlSeconds: z.number().int().positive().default(600),
  /** A regular expression: a fault whose code, string or detail text matches means the session is gone. */
  expiredFault: z
    .string()
    .min(1)
    .refine((source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression'),
});
export type SessionConfig = z.infer<typeof SessionConfig>;

/** A service's URL segment (soap-proxy's one naming rule: openapi/service-name.ts). */
export const serviceName = z.string().regex(/^[A-Za-z][\w-]*$/, 'letters, digits, _ and - only');

const ServiceConfig = z.strictObject({
  /** URL segment: /api/v1/<name>/<operation>. @default from the WSDL's `<service name>` */
  name: serviceName.optional(),
  /** WSDL path (relative to this file) or URL. */
  wsdl: z.string().min(1),
  /** Replaces the address in the WSDL. */
  endpoint: httpUrl().optional(),
  auth: Auth.default({ type: 'none' }),
  /** Per attempt. */
  timeoutMs: z.number().int().positive().default(5_000),
  /** The most of one answer read (bytes, inflated); more is a 502 UPSTREAM_RESPONSE_TOO_LARGE. @default 10 MiB */
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  resilience: Resilience.default({
    maxAttempts: 5,
    initialDelayMs: 100,
    maxDelayMs: 5_000,
    breakerThreshold: 5,
    halfOpenAfterMs: 10_000,
  }),
  operations: z.record(z.string(), OperationConfig).default({}),
  /** SOAP headers by name (the header element's local name), sent on every call that binds them. */
  soapHeaders: z.record(z.string(), SoapHeaderSetting).default({}),
  session: SessionConfig.optional(),
  /** The service's rate limit as its provider publishes it; its 429/503 with Retry-After are honoured either way. */
  upstreamLimit: UpstreamLimit.default({ callsPerSecond: undefined, waitBudgetMs: 2_000 }),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;

export const ProxyConfig = z.strictObject({ services: z.array(ServiceConfig).min(1) });
export type ProxyConfig = z.infer<typeof ProxyConfig>;

/** A field of the raw (unvalidated) file, when it is text. */
function textAt(value: unknown, ...path: string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}

/**
 * What the schema cannot see, read off the raw file so that it is found even when other fields
 * are wrong: two services with one name (names are URL segments and OpenAPI component prefixes),
 * and local files that do not exist.
 */
function crossChecks(raw: unknown, local: (file: string) => string): string[] {
  const services: unknown = (raw as { services?: unknown } | null)?.services;
  if (!Array.isArray(services)) return [];
  const seen = new Set<string>();
  return services.flatMap((service: unknown, index) => {
    const problems: string[] = [];
    const name = textAt(service, 'name');
    if (name !== undefined && seen.has(name))
      problems.push(`services.${index}.name: another service is already called "${name}"`);
    if (name !== undefined) seen.add(name);
    const mtls = textAt(service, 'auth', 'type') === 'mtls';
    const fields = mtls ? ['wsdl', 'auth.certPath', 'auth.keyPath', 'auth.caPath'] : ['wsdl'];
    const files = fields.map((field) => [field, textAt(service, ...field.split('.'))] as const);
    for (const [field, file] of files) {
      if (file !== undefined && file !== '' && !isUrl(file) && !existsSync(local(file)))
        problems.push(`services.${index}.${field}: no such file ${local(file)}`);
    }
    return problems;
  });
}

/** `${NAME}` / `${NAME:-default}` in config strings, from the environment (for containers). */
function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(
    /\$\{(\w+)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback?: string) => env[name] ?? fallback ?? '',
  );
}

/**
 * Reads and validates the services file; every problem is listed in one ConfigError. Paths
 * resolve against the file.
 */
export function loadProxyConfig(
  path: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProxyConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(interpolate(readFileSync(path, 'utf8'), env));
  } catch (error) {
    throw new ConfigError([`SOAP_PROXY_CONFIG: cannot read ${path}: ${(error as Error).message}`]);
  }
  const base = dirname(path);
  const local = (file: string) => (isUrl(file) || isAbsolute(file) ? file : resolve(base, file));
  const parsed = ProxyConfig.safeParse(raw);
  const problems = [
    ...(parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? []),
    ...crossChecks(raw, local),
  ];
  if (!parsed.success || problems.length > 0)
    throw new ConfigError(problems.map((problem) => `${path}: ${problem}`));
  return resolvePaths(parsed.data, local);
}

function resolvePaths(config: ProxyConfig, local: (file: string) => string): ProxyConfig {
  return {
    services: config.services.map((service) => ({
      ...service,
      wsdl: local(service.wsdl),
      auth:
        service.auth.type === 'mtls'
          ? {
              ...service.auth,
              certPath: local(service.auth.certPath),
              keyPath: local(service.auth.keyPath),
              ...(service.auth.caPath ? { caPath: local(service.auth.caPath) } : {}),
            }
          : service.auth,
    })),
  };
}

/**
 * Who may call what (the edge enforces it, /openapi.json says it): `/api/v1/<service>/<operation>`
 * needs `<service>:read` for a safe operation and `<service>:write` for any other; health and
 * docs are public.
 */
export function accessScopes(services: readonly ServiceConfig[]): ScopesFor {
  return resourceScopes({
    isRead: (_method, path) => {
      const [, , , service, operation] = path.split('/');
      const config = services.find((candidate) => candidate.name === service);
      return operation !== undefined && config?.operations[operation]?.safe === true;
    },
  });
}
