<?php
// The one page that answers XML (a partner integration from 2012 needed it).
declare(strict_types=1);
require_once __DIR__ . '/../lib/bootstrap.php';

start_legacy_session();
apply_test_plan('loyalty_history');
require_login();
[$page, $perPage, $offset] = legacy_page();
$customer = (int) ($_GET['customer'] ?? 0);
$statement = db()->prepare("SELECT * FROM loyalty_events WHERE customer_id = ? ORDER BY id LIMIT $perPage OFFSET $offset");
$statement->execute([$customer]);
$total = db()->prepare('SELECT count(*) FROM loyalty_events WHERE customer_id = ?');
$total->execute([$customer]);
// Built by hand (no ext/xml on the box, as on the original server).
$x = static fn (string $text): string => htmlspecialchars($text, ENT_XML1 | ENT_QUOTES, 'UTF-8');
$xml = '<?xml version="1.0" encoding="UTF-8"?>' . "\n"
    . sprintf('<history customer="%d" page="%d" total="%d">', $customer, $page, (int) $total->fetchColumn());
foreach ($statement->fetchAll() as $row) {
    $xml .= sprintf('<event><id>%d</id><points>%d</points><reason>%s</reason><date>%s</date></event>',
        $row['id'], $row['points'], $x($row['reason']), $x(legacy_date($row['at'])));
}
header('Content-Type: text/xml; charset=UTF-8');
echo $xml . '</history>';
