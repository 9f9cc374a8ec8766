<?php
declare(strict_types=1);

/**
 * Failure injection for tests and chaos runs, set out of band so the caller under test needs no
 * special headers:
 *   POST /_test/plan   {"operation":"GetStockLevel"|"*","mode":"http503"|"http500"|"http429"|"fault"|"latency","times":N,"latencyMs":M,"retryAfterSeconds":S}
 *   (http429: "Too Many Requests" with `Retry-After: S`, default 1 — an upstream enforcing its rate limit)
 *   GET  /_test/calls?operation=X   → {"count": n}     POST /_test/reset
 * Disabled with SUPPLIER_TEST_HOOKS=0.
 */
final class TestHooks
{
    public const SCHEMA = 'CREATE TABLE IF NOT EXISTS test_plans (operation TEXT PRIMARY KEY, mode TEXT NOT NULL,
        remaining INTEGER NOT NULL, latency_ms INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY AUTOINCREMENT, operation TEXT NOT NULL, at REAL NOT NULL);';

    public function __construct(private PDO $pdo)
    {
        $pdo->exec(self::SCHEMA);
        // Added later: databases made before it get the column on first use.
        $columns = $pdo->query('PRAGMA table_info(test_plans)')->fetchAll(PDO::FETCH_COLUMN, 1);
        if (!in_array('retry_after', $columns, true)) {
            $pdo->exec('ALTER TABLE test_plans ADD COLUMN retry_after INTEGER NOT NULL DEFAULT 1');
        }
    }

    public function handle(string $path): void
    {
        header('Content-Type: application/json');
        switch ($path) {
            case '/_test/plan':
                $plan = json_decode((string) file_get_contents('php://input'), true);
                if (!is_array($plan) || !in_array($plan['mode'] ?? '', ['http503', 'http500', 'http429', 'fault', 'latency', 'unnamed-redirect'], true)) {
                    http_response_code(400);
                    echo json_encode(['error' => 'mode must be http503, http500, http429, fault, latency or unnamed-redirect']);
                    return;
                }
                $this->pdo->prepare('INSERT OR REPLACE INTO test_plans (operation, mode, remaining, latency_ms, retry_after) VALUES (?, ?, ?, ?, ?)')->execute([
                    (string) ($plan['operation'] ?? '*'), $plan['mode'], (int) ($plan['times'] ?? -1), (int) ($plan['latencyMs'] ?? 0),
                    max(0, (int) ($plan['retryAfterSeconds'] ?? 1)),
                ]);
                echo json_encode(['ok' => true]);
                return;
            case '/_test/reset':
                $this->pdo->exec('DELETE FROM test_plans; DELETE FROM calls;');
                echo json_encode(['ok' => true]);
                return;
            case '/_test/calls':
                $statement = $this->pdo->prepare('SELECT count(*) FROM calls WHERE operation = ? OR ? = \'*\'');
                $operation = (string) ($_GET['operation'] ?? '*');
                $statement->execute([$operation, $operation]);
                echo json_encode(['count' => (int) $statement->fetchColumn()]);
                return;
            default:
                http_response_code(404);
                echo json_encode(['error' => 'unknown test hook']);
        }
    }

    /** Records the call, then applies a pending plan for it. Returns a fault to throw, or null to proceed. */
    public function beforeCall(string $operation): ?string
    {
        $this->pdo->prepare('INSERT INTO calls (operation, at) VALUES (?, ?)')->execute([$operation, microtime(true)]);
        $statement = $this->pdo->prepare("SELECT * FROM test_plans WHERE operation IN (?, '*') AND remaining != 0 ORDER BY operation = '*' LIMIT 1");
        $statement->execute([$operation]);
        $plan = $statement->fetch(PDO::FETCH_ASSOC);
        if ($plan === false) {
            return null;
        }
        if ((int) $plan['remaining'] > 0) {
            $this->pdo->prepare('UPDATE test_plans SET remaining = remaining - 1 WHERE operation = ?')->execute([$plan['operation']]);
        }
        return match ($plan['mode']) {
            'latency' => 'latency:' . $plan['latency_ms'],
            'http429' => 'http429:' . $plan['retry_after'],
            default => $plan['mode'],
        };
    }
}
