<?php
// The slow page: a customer report that scans everything (LEGACY_SLOW_MS, default 1500 ms).
declare(strict_types=1);
require_once __DIR__ . '/../lib/bootstrap.php';

start_legacy_session();
apply_test_plan('report');
require_login();
usleep((int) (getenv('LEGACY_SLOW_MS') ?: 1500) * 1000);
$statement = db()->prepare('SELECT count(*) FROM invoices WHERE customer_id = ?');
$statement->execute([(int) ($_GET['customer'] ?? 0)]);
legacy_json(['status' => 'ok', 'invoices' => (int) $statement->fetchColumn()]);
