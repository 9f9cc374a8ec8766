<?php
// A stray page from before the front controller existed: loyalty balance.
declare(strict_types=1);
require_once __DIR__ . '/../lib/bootstrap.php';

start_legacy_session();
apply_test_plan('loyalty');
require_login();
$statement = db()->prepare('SELECT coalesce(sum(points), 0) AS balance, count(*) AS events FROM loyalty_events WHERE customer_id = ?');
$statement->execute([(int) ($_GET['customer'] ?? 0)]);
$row = $statement->fetch();
legacy_json(['status' => 'ok', 'customer' => (int) ($_GET['customer'] ?? 0), 'balance' => (int) $row['balance'], 'events' => (int) $row['events']]);
