<?php
// Shared by every page, as 2014 apps did: one include with the database, the session and helpers.
// The quirks are deliberate: this app stands in for the legacy system legacy-rest-adapter must tame.
declare(strict_types=1);

require_once __DIR__ . '/seed.php';
require_once __DIR__ . '/../../shared/TestHooks.php';

date_default_timezone_set('Europe/Berlin');

function db(): PDO
{
    static $pdo = null;
    if ($pdo === null) {
        $path = getenv('LEGACY_DATABASE_PATH') ?: __DIR__ . '/../../../.data/legacy.sqlite';
        $pdo = legacy_open_database($path);
    }
    return $pdo;
}

function test_hooks(): TestHooks
{
    static $hooks = null;
    return $hooks ??= new TestHooks(db());
}

/** Every call is counted, and an injected failure applies before the page does anything. */
function apply_test_plan(string $operation): void
{
    if (($latency = (int) (getenv('LEGACY_LATENCY_MS') ?: 0)) > 0) {
        usleep($latency * 1000);
    }
    if (getenv('LEGACY_TEST_HOOKS') === '0') {
        return;
    }
    $injected = test_hooks()->beforeCall($operation);
    if ($injected === 'http503' || $injected === 'http500') {
        http_response_code($injected === 'http503' ? 503 : 500);
        echo '<h1>Service Unavailable</h1>';
        exit;
    }
    if ($injected !== null && str_starts_with($injected, 'http429:')) {
        http_response_code(429);
        header('Retry-After: ' . substr($injected, 8));
        echo '<h1>Too Many Requests</h1>';
        exit;
    }
    if ($injected === 'fault') {
        legacy_error('Database error: SQLSTATE[HY000] general error');
    }
    if ($injected !== null && str_starts_with($injected, 'latency:')) {
        usleep((int) substr($injected, 8) * 1000);
    }
    // The page works as usual, but a save redirects without naming what it saved (as a release
    // that sends users back to the list after saving would).
    $GLOBALS['legacy_unnamed_redirect'] = $injected === 'unnamed-redirect';
}

function start_legacy_session(): void
{
    $dir = getenv('LEGACY_SESSION_PATH') ?: __DIR__ . '/../../../.data/legacy-sessions';
    if (!is_dir($dir)) {
        @mkdir($dir, 0777, true);
    }
    session_save_path($dir);
    session_name('PHPSESSID');
    session_start();
}

/** Logged in and not idle for longer than LEGACY_SESSION_IDLE_SECONDS (default 600). */
function require_login(): void
{
    $idle = (int) (getenv('LEGACY_SESSION_IDLE_SECONDS') ?: 600);
    if (empty($_SESSION['user'])) {
        legacy_error('Not logged in');
    }
    if (time() - (int) ($_SESSION['last_activity'] ?? 0) > $idle) {
        session_destroy();
        legacy_error('Session expired, please log in again');
    }
    $_SESSION['last_activity'] = time();
}

function csrf_token(): string
{
    return $_SESSION['csrf_token'] ??= bin2hex(random_bytes(16));
}

function check_csrf(): void
{
    if (!hash_equals(csrf_token(), (string) ($_POST['csrf_token'] ?? ''))) {
        http_response_code(200);
        header('Content-Type: text/html; charset=ISO-8859-1');
        echo '<html><body><h1>Error</h1><p class="error">Invalid form token. Please go back and try again.</p></body></html>';
        exit;
    }
}

/** Errors the 2014 way: HTTP 200 with a status field. */
function legacy_error(string $message): never
{
    legacy_json(['status' => 'error', 'msg' => $message]);
}

/** JSON as the app always sent it: numbers as strings, text/html, Latin-1 when asked. */
function legacy_json(array $payload, bool $latin1 = false): never
{
    $json = json_encode(legacy_stringify($payload), JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    if ($latin1) {
        header('Content-Type: text/html; charset=ISO-8859-1');
        echo iconv('UTF-8', 'ISO-8859-1//TRANSLIT', (string) $json);
    } else {
        header('Content-Type: text/html; charset=UTF-8');
        echo $json;
    }
    exit;
}

function legacy_stringify(mixed $value): mixed
{
    if (is_array($value)) {
        return array_map('legacy_stringify', $value);
    }
    return is_int($value) || is_float($value) ? (string) $value : $value;
}

/** Stored UTC ISO 8601 → local "d/m/Y H:i"; none → "0000-00-00". */
function legacy_date(?string $utc): string
{
    if ($utc === null || $utc === '') {
        return '0000-00-00';
    }
    return (new DateTimeImmutable($utc))->setTimezone(new DateTimeZone('Europe/Berlin'))->format('d/m/Y H:i');
}

function legacy_money(int $cents): string
{
    return sprintf('%d.%02d', intdiv($cents, 100), abs($cents % 100));
}

/** page/per_page as the app did it: 1-based, per_page silently capped at 100. */
function legacy_page(): array
{
    $page = max(1, (int) ($_GET['page'] ?? 1));
    $perPage = min(100, max(1, (int) ($_GET['per_page'] ?? 20)));
    return [$page, $perPage, ($page - 1) * $perPage];
}

function redirect(string $location): never
{
    header('Location: ' . $location, true, 302);
    exit;
}

function h(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES, 'UTF-8');
}
