<?php
// Front for `php -S 127.0.0.1:8080 upstreams/php-monolith/router.php`: /healthz and /_test/* for
// tooling, every other path to the page it names under public/, as Apache did in 2014.
declare(strict_types=1);

require_once __DIR__ . '/../shared/trace-context.php';

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/';
log_trace_context($path);
if ($path === '/healthz') {
    header('Content-Type: application/json');
    echo '{"status":"ok"}';
    return;
}
if (str_starts_with($path, '/_test/')) {
    require_once __DIR__ . '/lib/bootstrap.php';
    if (getenv('LEGACY_TEST_HOOKS') === '0') {
        http_response_code(404);
        return;
    }
    test_hooks()->handle($path);
    return;
}
$page = $path === '/' ? 'index.php' : basename($path);
$file = __DIR__ . '/public/' . $page;
if (!preg_match('/^[a-z_]+\.php$/', $page) || !is_file($file)) {
    http_response_code(404);
    echo '<h1>Not Found</h1>';
    return;
}
require $file;
