<?php
declare(strict_types=1);

/**
 * Opens the monolith's SQLite database, creating and seeding it deterministically on first use:
 * 2,000 customers (names with accents), 20,000 invoices with lines (some issued across the 2014
 * DST change), 5,000 tickets with comments, loyalty events. Timestamps are stored in UTC.
 */
function legacy_open_database(string $path): PDO
{
    $dir = dirname($path);
    if (!is_dir($dir)) {
        @mkdir($dir, 0777, true);
    }
    // Several php -S workers may start at once: one seeds, the others wait.
    $lock = fopen($path . '.lock', 'c');
    flock($lock, LOCK_EX);
    try {
        $pdo = new PDO('sqlite:' . $path, null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC]);
        $pdo->exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
        if ((int) $pdo->query("SELECT count(*) FROM sqlite_master WHERE name = 'customers'")->fetchColumn() === 0) {
            legacy_seed($pdo);
        }
        return $pdo;
    } finally {
        flock($lock, LOCK_UN);
        fclose($lock);
    }
}

function legacy_seed(PDO $pdo): void
{
    $pdo->beginTransaction();
    $pdo->exec(<<<SQL
        CREATE TABLE customers (id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL,
            vip TEXT NOT NULL, newsletter TEXT NOT NULL, created_at TEXT NOT NULL, birthday TEXT);
        CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, number TEXT NOT NULL, issued_at TEXT NOT NULL,
            due_at TEXT NOT NULL, paid_at TEXT, currency TEXT NOT NULL);
        CREATE INDEX invoices_by_customer ON invoices (customer_id, id);
        CREATE TABLE invoice_lines (id INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL, sku TEXT NOT NULL, description TEXT NOT NULL,
            qty INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL, vat_rate INTEGER NOT NULL);
        CREATE INDEX lines_by_invoice ON invoice_lines (invoice_id);
        CREATE TABLE tickets (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL,
            priority TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX tickets_by_customer ON tickets (customer_id, id);
        CREATE TABLE ticket_comments (id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, author TEXT NOT NULL, body TEXT NOT NULL,
            created_at TEXT NOT NULL);
        CREATE INDEX comments_by_ticket ON ticket_comments (ticket_id, id);
        CREATE TABLE loyalty_events (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, points INTEGER NOT NULL, reason TEXT NOT NULL,
            at TEXT NOT NULL);
        CREATE INDEX loyalty_by_customer ON loyalty_events (customer_id, id);
        SQL);
    mt_srand(2014);
    $first = ['Jürgen', 'Zoë', 'François', 'Ana', 'Søren', 'Chloé', 'José', 'Ingrid', 'Mateo', 'Élodie', 'Björn', 'Renée', 'Tom', 'Maria', 'Ahmet'];
    $last = ['Müller', 'Gonçalves', 'Østergaard', 'Lefèvre', 'Núñez', 'Schröder', 'Dvořák', 'Smith', 'Weiß', 'García', 'Öztürk', 'Brontë'];
    $utc = new DateTimeZone('UTC');
    $at = static fn (int $ts): string => (new DateTimeImmutable('@' . $ts))->setTimezone($utc)->format('Y-m-d\TH:i:s\Z');
    $start = strtotime('2014-01-01T00:00:00Z');
    $span = strtotime('2024-12-31T00:00:00Z') - $start;
    // 26 October 2014, 01:30 UTC: 02:30 local time happened twice in Berlin (CEST → CET).
    $dstChange = strtotime('2014-10-26T00:30:00Z');

    $customer = $pdo->prepare('INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for ($id = 1; $id <= 2000; $id++) {
        $f = $first[mt_rand(0, count($first) - 1)];
        $l = $last[mt_rand(0, count($last) - 1)];
        $birthday = mt_rand(0, 3) === 0 ? null : sprintf('%04d-%02d-%02d', mt_rand(1950, 2004), mt_rand(1, 12), mt_rand(1, 28));
        $email = strtolower(iconv('UTF-8', 'ASCII//TRANSLIT', $f . '.' . $l)) . ".$id@example.com";
        $customer->execute([$id, $f, $l, preg_replace('/[^a-z0-9.@]/', '', $email), mt_rand(0, 9) === 0 ? 'Y' : 'N', mt_rand(0, 1) ? 'Y' : 'N', $at($start + mt_rand(0, $span)), $birthday]);
    }

    $invoice = $pdo->prepare('INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?)');
    $line = $pdo->prepare('INSERT INTO invoice_lines (invoice_id, sku, description, qty, unit_price_cents, vat_rate) VALUES (?, ?, ?, ?, ?, ?)');
    $products = ['Kaffeemaschine', 'Schreibtischlampe', 'Bürostuhl', 'Wasserkocher', 'Rucksack', 'Kopfhörer'];
    for ($id = 1; $id <= 20000; $id++) {
        $issued = $id % 500 === 0 ? $dstChange + ($id / 500 % 2) * 3600 : $start + mt_rand(0, $span);
        $paid = mt_rand(0, 4) === 0 ? null : $at($issued + mt_rand(1, 40) * 86400);
        $invoice->execute([$id, mt_rand(1, 2000), sprintf('RE-%06d', $id), $at($issued), $at($issued + 30 * 86400), $paid, 'EUR']);
        for ($n = mt_rand(1, 4); $n > 0; $n--) {
            $line->execute([$id, sprintf('SKU-%05d', mt_rand(1, 5000)), $products[mt_rand(0, count($products) - 1)], mt_rand(1, 5), mt_rand(199, 49999), mt_rand(0, 3) === 0 ? 7 : 19]);
        }
    }

    $ticket = $pdo->prepare('INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?)');
    $comment = $pdo->prepare('INSERT INTO ticket_comments (ticket_id, author, body, created_at) VALUES (?, ?, ?, ?)');
    $subjects = ['Lieferung verspätet', 'Rechnung falsch', 'Passwort vergessen', 'Artikel beschädigt', 'Rückerstattung'];
    $statuses = ['open', 'pending', 'closed'];
    for ($id = 1; $id <= 5000; $id++) {
        $created = $start + mt_rand(0, $span);
        $ticket->execute([$id, mt_rand(1, 2000), $subjects[mt_rand(0, count($subjects) - 1)] . " #$id", $statuses[mt_rand(0, 2)], mt_rand(0, 4) === 0 ? 'high' : 'normal', $at($created), $at($created + mt_rand(0, 10) * 3600)]);
        for ($n = mt_rand(0, 3); $n > 0; $n--) {
            $comment->execute([$id, mt_rand(0, 1) ? 'support' : 'customer', 'Danke für Ihre Geduld.', $at($created + mt_rand(1, 72) * 3600)]);
        }
    }

    $loyalty = $pdo->prepare('INSERT INTO loyalty_events (customer_id, points, reason, at) VALUES (?, ?, ?, ?)');
    for ($n = 0; $n < 15000; $n++) {
        $loyalty->execute([mt_rand(1, 2000), mt_rand(0, 5) === 0 ? -mt_rand(10, 200) : mt_rand(5, 150), mt_rand(0, 5) === 0 ? 'Einlösung' : 'Einkauf', $at($start + mt_rand(0, $span))]);
    }
    $pdo->commit();
}
