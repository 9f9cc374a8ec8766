<?php
declare(strict_types=1);

/**
 * The supplier's stock database: SQLite, created and seeded deterministically on first use with
 * one row per SKU of the products subgraph (SKU-00001 … SKU-05000).
 */
final class Database
{
    private const SKU_COUNT = 5000;
    private const WAREHOUSES = ['BER-1', 'AMS-2', 'NYC-1', 'SIN-3'];

    public static function open(string $path): PDO
    {
        $dir = dirname($path);
        if (!is_dir($dir)) {
            mkdir($dir, 0777, true);
        }
        // Several php -S workers may start at once: one seeds, the others wait for it.
        $lock = fopen($path . '.lock', 'c');
        flock($lock, LOCK_EX);
        try {
            $pdo = new PDO('sqlite:' . $path, null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
            $pdo->exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
            $seeded = $pdo->query("SELECT count(*) FROM sqlite_master WHERE name = 'stock'")->fetchColumn();
            if ((int) $seeded === 0) {
                self::seed($pdo);
            }
            $pdo->exec('CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)');
            return $pdo;
        } finally {
            flock($lock, LOCK_UN);
            fclose($lock);
        }
    }

    private static function seed(PDO $pdo): void
    {
        $pdo->beginTransaction();
        $pdo->exec('CREATE TABLE stock (sku TEXT PRIMARY KEY, available INTEGER NOT NULL, warehouse TEXT NOT NULL,
                    unit_cost_cents INTEGER NOT NULL, updated_at TEXT NOT NULL)');
        $pdo->exec('CREATE TABLE purchase_orders (id INTEGER PRIMARY KEY AUTOINCREMENT, reference TEXT NOT NULL,
                    lines TEXT NOT NULL, placed_at TEXT NOT NULL)');
        mt_srand(20261124);
        $base = strtotime('2026-11-01T00:00:00Z');
        $insert = $pdo->prepare('INSERT INTO stock VALUES (?, ?, ?, ?, ?)');
        for ($i = 1; $i <= self::SKU_COUNT; $i++) {
            $insert->execute([
                sprintf('SKU-%05d', $i),
                mt_rand(0, 500),
                self::WAREHOUSES[mt_rand(0, count(self::WAREHOUSES) - 1)],
                mt_rand(300, 30000),
                gmdate('Y-m-d\TH:i:s\Z', $base + mt_rand(0, 20 * 86400)),
            ]);
        }
        $pdo->commit();
    }
}
