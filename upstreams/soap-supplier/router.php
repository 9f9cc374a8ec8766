<?php
declare(strict_types=1);
// Front controller for `php -S 127.0.0.1:8081 upstreams/soap-supplier/router.php`:
//   GET ?wsdl → the WSDL (address rewritten to this server) · POST / → SOAP · /_test/* → failure injection
//   (and POST /_test/expire-sessions: every Login session issued so far expires).
require __DIR__ . '/src/Database.php';
require __DIR__ . '/src/StockService.php';
require __DIR__ . '/../shared/TestHooks.php';
require __DIR__ . '/../shared/trace-context.php';

ini_set('soap.wsdl_cache_enabled', '0');
$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/';
log_trace_context($path);
$databasePath = getenv('SUPPLIER_DATABASE_PATH') ?: __DIR__ . '/../../.data/supplier.sqlite';
$pdo = Database::open($databasePath);
$hooks = new TestHooks($pdo);
$hooksEnabled = getenv('SUPPLIER_TEST_HOOKS') !== '0';

if ($path === '/healthz') {
    header('Content-Type: application/json');
    echo json_encode(['status' => 'ok']);
    return;
}
if (str_starts_with($path, '/_test/')) {
    if (!$hooksEnabled) {
        http_response_code(404);
        return;
    }
    if ($path === '/_test/expire-sessions') {
        // Every session issued so far is expired from now on (the next call faults SESSION_EXPIRED).
        $pdo->exec('UPDATE sessions SET expires_at = 0');
        header('Content-Type: application/json');
        echo json_encode(['ok' => true]);
        return;
    }
    $hooks->handle($path);
    return;
}

$self = sprintf('http://%s/', $_SERVER['HTTP_HOST'] ?? '127.0.0.1:8081');
$wsdl = str_replace('http://127.0.0.1:8081/', $self, (string) file_get_contents(__DIR__ . '/supplier.wsdl'));
if (($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'GET') {
    header('Content-Type: text/xml; charset=utf-8');
    echo $wsdl;
    return;
}

$body = (string) file_get_contents('php://input');
$action = trim((string) ($_SERVER['HTTP_SOAPACTION'] ?? ''), '"');
$operation = str_contains($action, '#') ? substr($action, strpos($action, '#') + 1)
    : (preg_match('/<(?:\w+:)?(GetStockLevels|GetStockLevel|GetPrice|PlaceSupplierOrder|Login|GetAccountBalance)[\s>]/', $body, $m) ? $m[1] : 'unknown');

if (($latency = (int) (getenv('SUPPLIER_LATENCY_MS') ?: 0)) > 0) {
    usleep($latency * 1000);
}
$injected = $hooksEnabled ? $hooks->beforeCall($operation) : null;
if ($injected === 'http503' || $injected === 'http500') {
    http_response_code($injected === 'http503' ? 503 : 500);
    header('Retry-After: 1');
    echo 'Service temporarily unavailable';
    return;
}
if ($injected !== null && str_starts_with($injected, 'http429:')) {
    http_response_code(429);
    header('Retry-After: ' . substr($injected, 8));
    echo 'Too Many Requests';
    return;
}
if ($injected !== null && str_starts_with($injected, 'latency:')) {
    usleep((int) substr($injected, 8) * 1000);
}

$wsdlFile = tempnam(sys_get_temp_dir(), 'supplier-wsdl');
file_put_contents($wsdlFile, $wsdl);
$server = new SoapServer($wsdlFile, ['cache_wsdl' => WSDL_CACHE_NONE, 'soap_version' => SOAP_1_1]);
if ($injected === 'fault') {
    unlink($wsdlFile);
    $server->fault('Server', 'Supplier database unavailable');
    return;
}
$server->setObject(new StockService($pdo, fn (SoapHeader $header) => $server->addSoapHeader($header)));
try {
    $server->handle($body);
} finally {
    unlink($wsdlFile);
}
