import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, PROBLEM_CONTENT_TYPE, toProblem } from '../errors/index.ts';
import { FAILURES_PATH, METRICS_PATH } from './operational-paths.ts';
import { telemetryRuntime } from './runtime.ts';

const send = (res: ServerResponse, status: number, type: string, body: string) => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
};

/**
 * Answers `GET /metrics` (Prometheus text, every metric of the process) and `GET /metrics/failures`
 * (the latest failed requests with their trace ids, JSON). Returns false for any other request.
 * Without telemetry (started without `--import …/register.ts`, or OTEL_SDK_DISABLED=true) both
 * answer 404 NOT_FOUND saying so. Returns a promise settled once the answer is sent (the metrics
 * are collected asynchronously: an edge check must not let the request on before).
 */
export function serveTelemetry(req: IncomingMessage, res: ServerResponse): false | Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = req.url?.split('?')[0];
  if (path !== METRICS_PATH && path !== FAILURES_PATH) return false;
  const answered = new Promise<void>((resolve) => {
    res.once('close', resolve);
  });
  const runtime = telemetryRuntime();
  if (!runtime) {
    const off = new AppError(
      'NOT_FOUND',
      'Telemetry is off in this process (started without the telemetry module, or OTEL_SDK_DISABLED=true)',
    );
    send(
      res,
      404,
      PROBLEM_CONTENT_TYPE,
      JSON.stringify(toProblem(off, { instance: path, maskUnexpected: false })),
    );
    return answered;
  }
  if (path === METRICS_PATH) runtime.serveMetrics(req, res);
  else
    send(
      res,
      200,
      'application/json',
      JSON.stringify({ service: runtime.serviceName, failures: runtime.failures.list() }),
    );
  return answered;
}
