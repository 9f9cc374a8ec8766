import { AppError } from '@manifold/platform/errors';
import { networkErrorCode, UpstreamError } from '@manifold/platform/resilience';

/** What node-soap rejects with: a parsed envelope (`root`) for faults, the HTTP response otherwise. */
interface SoapCallError {
  root?: { Envelope?: { Body?: { Fault?: SoapFault } } };
  response?: { status?: number; headers?: Record<string, unknown> };
  message?: string;
}

interface SoapFault {
  // SOAP 1.1
  faultcode?: string;
  faultstring?: string;
  detail?: unknown;
  // SOAP 1.2
  Code?: { Value?: string; Subcode?: { Value?: string } };
  Reason?: { Text?: string | { $value?: string } };
  Detail?: unknown;
}

const localName = (qualified: string) => qualified.slice(qualified.lastIndexOf(':') + 1);

function retryAfterMs(headers: Record<string, unknown> | undefined): number | undefined {
  const value = headers?.['retry-after'];
  if (typeof value !== 'string') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A failed SOAP call as a catalogue error. Client/Sender faults are the caller's to fix (422,
 * never retried); Server/Receiver faults are the supplier's (502); an HTTP 502/503/504 without a
 * fault is transient (retried for idempotent operations). A network error — refused, reset, DNS
 * (ENOTFOUND, EAI_AGAIN), undici's timeouts or a cancelled attempt (ERR_CANCELED) — is left
 * for the policy, which retries it and maps it to UPSTREAM_UNAVAILABLE or UPSTREAM_TIMEOUT.
 */
export function toUpstreamError(
  upstream: string,
  operation: string,
  error: unknown,
  /** Shapes a fault's detail (declared wsdl:faults are normalised like answers). */
  normaliseDetail: (detail: unknown) => unknown = (detail) => detail,
): unknown {
  if (networkErrorCode(error) !== undefined) return error;
  const failure = (error ?? {}) as SoapCallError;
  const fault = failure.root?.Envelope?.Body?.Fault;
  if (fault) {
    const code = localName(fault.faultcode ?? fault.Code?.Value ?? 'Server');
    const reason =
      fault.faultstring ??
      (typeof fault.Reason?.Text === 'string' ? fault.Reason.Text : fault.Reason?.Text?.$value) ??
      'SOAP fault';
    const clientFault = code === 'Client' || code === 'Sender';
    const detail = fault.detail ?? fault.Detail;
    const details = {
      faultcode: code,
      ...(detail ? { faultDetail: normaliseDetail(detail) } : {}),
    };
    return new UpstreamError(
      clientFault ? 'UPSTREAM_REJECTED' : 'UPSTREAM_ERROR',
      upstream,
      reason,
      { transient: false, details, cause: error },
    );
  }
  const status = failure.response?.status;
  if (status !== undefined) {
    const retryAfter = retryAfterMs(failure.response?.headers);
    return UpstreamError.fromStatus(upstream, status, {
      cause: error,
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    });
  }
  if (error instanceof AppError || (error instanceof Error && error.name === 'AbortError'))
    return error;
  const tls = tlsErrorCode(error);
  if (tls !== undefined) {
    // A certificate or handshake problem is configuration, not a passing fault: never retried.
    return new UpstreamError(
      'UPSTREAM_ERROR',
      upstream,
      `TLS handshake with ${upstream} failed (${tls})`,
      { transient: false, cause: error },
    );
  }
  return new UpstreamError(
    'UPSTREAM_ERROR',
    upstream,
    `${upstream} sent an answer to ${operation} that is not valid SOAP`,
    { transient: false, cause: error },
  );
}

const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO$)/;

function tlsErrorCode(error: unknown): string | undefined {
  for (
    let current = error, depth = 0;
    current instanceof Error && depth < 5;
    current = current.cause, depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_CODE.test(code)) return code;
  }
  return undefined;
}
