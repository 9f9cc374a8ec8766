<?php
declare(strict_types=1);

/**
 * Logs the W3C trace context a caller sent (`traceparent`), one line per traced request on the
 * server's log (stderr under `php -S`): `trace_id=… parent_span_id=… METHOD /path`. A trace seen in
 * Jaeger can so be followed into this system's own log, which knows nothing of OpenTelemetry.
 */
function log_trace_context(string $path): void
{
    $traceparent = $_SERVER['HTTP_TRACEPARENT'] ?? '';
    if (!is_string($traceparent)
        || !preg_match('/^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/', $traceparent, $m)) {
        return;
    }
    error_log(sprintf(
        'trace_id=%s parent_span_id=%s %s %s',
        $m[1],
        $m[2],
        preg_replace('/[^A-Z]/', '', (string) ($_SERVER['REQUEST_METHOD'] ?? 'GET')),
        preg_replace('/[^\w\/.\-]/', '', $path),
    ));
}
