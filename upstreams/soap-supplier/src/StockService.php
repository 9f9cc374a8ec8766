<?php
declare(strict_types=1);

/** The SOAP operations. PHP's SoapServer maps each wrapped request element to one method. */
final class StockService
{
    private ?string $sessionToken = null;

    /** @param ?Closure(SoapHeader): void $answerHeader adds a SOAP header to the answer */
    public function __construct(private PDO $pdo, private ?Closure $answerHeader = null)
    {
    }

    /** The Session header: SoapServer calls the method named after a header element before the operation. */
    public function Session(stdClass $header): void
    {
        $this->sessionToken = isset($header->token) ? (string) $header->token : null;
    }

    public function Login(stdClass $request): array
    {
        $username = getenv('SUPPLIER_USERNAME') ?: 'manifold';
        $password = getenv('SUPPLIER_PASSWORD') ?: 'supplier-secret';
        if (!hash_equals($username, (string) ($request->username ?? '')) || !hash_equals($password, (string) ($request->password ?? ''))) {
            throw self::clientFault('LOGIN_FAILED', 'Unknown user or wrong password');
        }
        $validSeconds = (int) (getenv('SUPPLIER_SESSION_SECONDS') ?: 600);
        $token = bin2hex(random_bytes(16));
        $this->pdo->prepare('INSERT INTO sessions VALUES (?, ?)')->execute([$token, time() + $validSeconds]);
        return ['sessionId' => $token, 'validSeconds' => $validSeconds];
    }

    public function GetAccountBalance(stdClass $request): array
    {
        $statement = $this->pdo->prepare('SELECT expires_at FROM sessions WHERE token = ?');
        $statement->execute([$this->sessionToken ?? '']);
        $expiresAt = $statement->fetchColumn();
        if ($expiresAt === false) {
            throw self::clientFault('SESSION_REQUIRED', 'Log in first and send the Session header');
        }
        if ((int) $expiresAt <= time()) {
            throw self::clientFault('SESSION_EXPIRED', 'Session expired');
        }
        if (($request->currency ?? '') !== 'EUR') {
            throw self::clientFault('UNSUPPORTED_CURRENCY', 'Balances are kept in EUR');
        }
        if ($this->answerHeader !== null) {
            ($this->answerHeader)(new SoapHeader('urn:manifold:supplier', 'ServerTrace', ['requestId' => bin2hex(random_bytes(8))]));
        }
        // Local time without a zone, as many suppliers answer: valid xsd:dateTime.
        return ['balance' => '12345.67', 'currency' => 'EUR', 'asOf' => gmdate('Y-m-d\TH:i:s')];
    }

    public function GetStockLevel(stdClass $request): array
    {
        return ['level' => $this->level($this->requireSku($request->sku ?? null))];
    }

    public function GetStockLevels(stdClass $request): array
    {
        $skus = is_array($request->sku ?? null) ? $request->sku : [$request->sku ?? ''];
        if (count($skus) > 100) {
            throw self::clientFault('TOO_MANY_SKUS', 'At most 100 SKUs per call');
        }
        $levels = [];
        $unknown = [];
        foreach ($skus as $sku) {
            $row = $this->find((string) $sku);
            if ($row === null) {
                $unknown[] = (string) $sku;
            } else {
                $levels[] = self::toLevel($row);
            }
        }
        return ['level' => $levels, 'unknownSku' => $unknown];
    }

    public function GetPrice(stdClass $request): array
    {
        $row = $this->requireSku($request->sku ?? null);
        $quantity = (int) ($request->quantity ?? 0);
        if ($quantity < 1 || $quantity > 10000) {
            throw self::clientFault('INVALID_QUANTITY', 'quantity must be 1 to 10000', $row['sku']);
        }
        // Volume discount: 5 % from 10 units, 10 % from 100.
        $discount = $quantity >= 100 ? 0.90 : ($quantity >= 10 ? 0.95 : 1.0);
        $unitCents = (int) round($row['unit_cost_cents'] * $discount);
        return [
            'sku' => $row['sku'],
            'quantity' => $quantity,
            'unitPrice' => self::decimal($unitCents),
            'total' => self::decimal($unitCents * $quantity),
            'currency' => 'EUR',
        ];
    }

    public function PlaceSupplierOrder(stdClass $request): array
    {
        $lines = is_array($request->line ?? null) ? $request->line : [$request->line ?? null];
        $normalised = [];
        foreach ($lines as $line) {
            $row = $this->requireSku($line->sku ?? null);
            $quantity = (int) ($line->quantity ?? 0);
            if ($quantity > (int) $row['available']) {
                throw self::clientFault('INSUFFICIENT_STOCK', "Only {$row['available']} of {$row['sku']} available", $row['sku']);
            }
            $normalised[] = ['sku' => $row['sku'], 'quantity' => $quantity];
        }
        $placedAt = gmdate('Y-m-d\TH:i:s\Z');
        $this->pdo->prepare('INSERT INTO purchase_orders (reference, lines, placed_at) VALUES (?, ?, ?)')
            ->execute([(string) ($request->reference ?? ''), json_encode($normalised), $placedAt]);
        return ['orderId' => sprintf('PO-%06d', (int) $this->pdo->lastInsertId()), 'status' => 'ACCEPTED', 'placedAt' => $placedAt];
    }

    private function requireSku(mixed $sku): array
    {
        $row = is_string($sku) ? $this->find($sku) : null;
        if ($row === null) {
            throw self::clientFault('UNKNOWN_SKU', 'Unknown SKU: ' . (is_string($sku) ? $sku : '(none)'), is_string($sku) ? $sku : null);
        }
        return $row;
    }

    private function find(string $sku): ?array
    {
        $statement = $this->pdo->prepare('SELECT * FROM stock WHERE sku = ?');
        $statement->execute([$sku]);
        $row = $statement->fetch(PDO::FETCH_ASSOC);
        return $row === false ? null : $row;
    }

    private function level(array $row): array
    {
        return self::toLevel($row);
    }

    private static function toLevel(array $row): array
    {
        return ['sku' => $row['sku'], 'available' => (int) $row['available'], 'warehouse' => $row['warehouse'], 'updatedAt' => $row['updated_at']];
    }

    private static function decimal(int $cents): string
    {
        return sprintf('%d.%02d', intdiv($cents, 100), $cents % 100);
    }

    private static function clientFault(string $code, string $message, ?string $sku = null): SoapFault
    {
        $detail = ['code' => $code];
        if ($sku !== null) {
            $detail['sku'] = $sku;
        }
        return new SoapFault('Client', $message, null, (object) ['Fault' => (object) $detail]);
    }
}
