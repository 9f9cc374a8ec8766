<?php
// The monolith's front controller, 2014 style: index.php?action=…
declare(strict_types=1);
require_once __DIR__ . '/../lib/bootstrap.php';

start_legacy_session();
$action = (string) ($_GET['action'] ?? 'home');
apply_test_plan($action);
$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';

switch ($action) {
    case 'login':
        if ($method === 'POST') {
            $user = getenv('LEGACY_USER') ?: 'api';
            $password = getenv('LEGACY_PASSWORD') ?: 'api-secret';
            if (($_POST['username'] ?? '') === $user && ($_POST['password'] ?? '') === $password) {
                session_regenerate_id(true);
                $_SESSION['user'] = $user;
                $_SESSION['last_activity'] = time();
                redirect('index.php?action=home');
            }
            $error = '<p class="error">Wrong username or password</p>';
        }
        header('Content-Type: text/html; charset=UTF-8');
        echo '<html><body><h1>Login</h1>' . ($error ?? '') . '<form method="post" action="index.php?action=login">'
            . '<input name="username"><input name="password" type="password"><button>Login</button></form></body></html>';
        exit;

    case 'home':
        require_login();
        header('Content-Type: text/html; charset=UTF-8');
        echo '<html><body><h1>Welcome ' . h((string) $_SESSION['user']) . '</h1></body></html>';
        exit;

    case 'customer':
        require_login();
        $statement = db()->prepare('SELECT * FROM customers WHERE id = ?');
        $statement->execute([(int) ($_GET['id'] ?? 0)]);
        $row = $statement->fetch();
        if (!$row) {
            legacy_error('Customer not found');
        }
        // Names go out in ISO-8859-1, as the 2014 database connection did.
        legacy_json(['status' => 'ok', 'customer' => [
            'id' => $row['id'], 'first_name' => $row['first_name'], 'last_name' => $row['last_name'], 'email' => $row['email'],
            'vip' => $row['vip'], 'newsletter' => $row['newsletter'], 'created' => legacy_date($row['created_at']),
            'birthday' => $row['birthday'] === null ? '0000-00-00' : date('d/m/Y', strtotime($row['birthday'])),
        ]], true);

    case 'invoices':
        require_login();
        [$page, $perPage, $offset] = legacy_page();
        $customerId = (int) ($_GET['customer_id'] ?? 0);
        $total = db()->prepare('SELECT count(*) FROM invoices WHERE customer_id = ?');
        $total->execute([$customerId]);
        $statement = db()->prepare('SELECT i.*, (SELECT sum(qty * unit_price_cents) FROM invoice_lines WHERE invoice_id = i.id) AS net
            FROM invoices i WHERE customer_id = ? ORDER BY id LIMIT ? OFFSET ?');
        $statement->execute([$customerId, $perPage, $offset]);
        $invoices = array_map(static fn (array $row): array => [
            'id' => $row['id'], 'number' => $row['number'], 'issued' => legacy_date($row['issued_at']), 'due' => legacy_date($row['due_at']),
            'paid' => $row['paid_at'] === null ? 'N' : 'Y', 'paid_on' => legacy_date($row['paid_at']),
            'net' => legacy_money((int) $row['net']), 'currency' => $row['currency'],
        ], $statement->fetchAll());
        legacy_json(['status' => 'ok', 'page' => $page, 'per_page' => $perPage, 'total' => (int) $total->fetchColumn(), 'invoices' => $invoices]);

    case 'invoice':
        require_login();
        $statement = db()->prepare('SELECT * FROM invoices WHERE id = ?');
        $statement->execute([(int) ($_GET['id'] ?? 0)]);
        $row = $statement->fetch();
        if (!$row) {
            legacy_error('Invoice not found');
        }
        $lines = db()->prepare('SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY id');
        $lines->execute([$row['id']]);
        $net = 0;
        $vat = 0;
        $items = [];
        foreach ($lines->fetchAll() as $line) {
            $amount = $line['qty'] * $line['unit_price_cents'];
            $net += $amount;
            $vat += (int) round($amount * $line['vat_rate'] / 100);
            $items[] = ['sku' => $line['sku'], 'description' => $line['description'], 'qty' => $line['qty'],
                'unit_price' => legacy_money((int) $line['unit_price_cents']), 'vat_rate' => $line['vat_rate']];
        }
        legacy_json(['status' => 'ok', 'invoice' => [
            'id' => $row['id'], 'customer_id' => $row['customer_id'], 'number' => $row['number'], 'issued' => legacy_date($row['issued_at']),
            'due' => legacy_date($row['due_at']), 'paid' => $row['paid_at'] === null ? 'N' : 'Y', 'paid_on' => legacy_date($row['paid_at']),
            'currency' => $row['currency'], 'lines' => $items,
            'net' => legacy_money($net), 'vat' => legacy_money($vat), 'gross' => legacy_money($net + $vat),
        ]]);

    case 'tickets':
        require_login();
        [$page, $perPage, $offset] = legacy_page();
        $where = ['1 = 1'];
        $params = [];
        foreach (['customer_id' => 'customer_id = ?', 'status' => 'status = ?'] as $field => $clause) {
            if (($_GET[$field] ?? '') !== '') {
                $where[] = $clause;
                $params[] = $_GET[$field];
            }
        }
        $sql = implode(' AND ', $where);
        $total = db()->prepare("SELECT count(*) FROM tickets WHERE $sql");
        $total->execute($params);
        $statement = db()->prepare("SELECT * FROM tickets WHERE $sql ORDER BY id LIMIT $perPage OFFSET $offset");
        $statement->execute($params);
        $tickets = array_map('ticket_json', $statement->fetchAll());
        legacy_json(['status' => 'ok', 'page' => $page, 'per_page' => $perPage, 'total' => (int) $total->fetchColumn(), 'tickets' => $tickets]);

    case 'ticket':
        require_login();
        $row = find_ticket((int) ($_GET['id'] ?? 0));
        $comments = db()->prepare('SELECT * FROM ticket_comments WHERE ticket_id = ? ORDER BY id');
        $comments->execute([$row['id']]);
        legacy_json(['status' => 'ok', 'ticket' => ticket_json($row) + ['comments' => array_map(static fn (array $c): array => [
            'id' => $c['id'], 'author' => $c['author'], 'body' => $c['body'], 'created' => legacy_date($c['created_at']),
        ], $comments->fetchAll())]]);

    case 'ticket_new':
        require_login();
        if ($method === 'POST') {
            check_csrf();
            $errors = [];
            $subject = trim((string) ($_POST['subject'] ?? ''));
            $customerId = (int) ($_POST['customer_id'] ?? 0);
            $priority = (string) ($_POST['priority'] ?? 'normal');
            if ($subject === '') {
                $errors['subject'] = 'Subject is required';
            } elseif (iconv_strlen($subject, 'UTF-8') > 120) {
                $errors['subject'] = 'Subject is too long (max. 120 characters)';
            }
            $exists = db()->prepare('SELECT 1 FROM customers WHERE id = ?');
            $exists->execute([$customerId]);
            if (!$exists->fetchColumn()) {
                $errors['customer_id'] = 'Unknown customer';
            }
            if (!in_array($priority, ['normal', 'high'], true)) {
                $errors['priority'] = 'Priority must be normal or high';
            }
            if ($errors === []) {
                $now = gmdate('Y-m-d\TH:i:s\Z');
                db()->prepare('INSERT INTO tickets (customer_id, subject, status, priority, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
                    ->execute([$customerId, $subject, 'open', $priority, $now, $now]);
                redirect(($GLOBALS['legacy_unnamed_redirect'] ?? false) ? 'index.php?action=tickets' : 'index.php?action=ticket&id=' . db()->lastInsertId());
            }
        }
        render_ticket_form($errors ?? []);

    case 'ticket_status':
    case 'ticket_comment':
        require_login();
        if ($method !== 'POST') {
            render_ticket_form([]);
        }
        check_csrf();
        $row = find_ticket((int) ($_POST['id'] ?? 0));
        $now = gmdate('Y-m-d\TH:i:s\Z');
        if ($action === 'ticket_status') {
            $status = (string) ($_POST['status'] ?? '');
            if (!in_array($status, ['open', 'pending', 'closed'], true)) {
                render_ticket_form(['status' => 'Status must be open, pending or closed']);
            }
            db()->prepare('UPDATE tickets SET status = ?, updated_at = ? WHERE id = ?')->execute([$status, $now, $row['id']]);
        } else {
            $body = trim((string) ($_POST['body'] ?? ''));
            if ($body === '') {
                render_ticket_form(['body' => 'Comment must not be empty']);
            }
            db()->prepare('INSERT INTO ticket_comments (ticket_id, author, body, created_at) VALUES (?, ?, ?, ?)')->execute([$row['id'], 'support', $body, $now]);
            db()->prepare('UPDATE tickets SET updated_at = ? WHERE id = ?')->execute([$now, $row['id']]);
        }
        redirect('index.php?action=ticket&id=' . $row['id']);

    default:
        legacy_error('Unknown action');
}

function find_ticket(int $id): array
{
    $statement = db()->prepare('SELECT * FROM tickets WHERE id = ?');
    $statement->execute([$id]);
    $row = $statement->fetch();
    if (!$row) {
        legacy_error('Ticket not found');
    }
    return $row;
}

function ticket_json(array $row): array
{
    return ['id' => $row['id'], 'customer_id' => $row['customer_id'], 'subject' => $row['subject'], 'status' => $row['status'],
        'urgent' => $row['priority'] === 'high' ? 'Y' : 'N', 'created' => legacy_date($row['created_at']), 'updated' => legacy_date($row['updated_at'])];
}

/** Validation errors come back as the HTML form again, as they always did. */
function render_ticket_form(array $errors): never
{
    header('Content-Type: text/html; charset=UTF-8');
    $list = $errors === [] ? '' : '<ul class="errors">' . implode('', array_map(
        static fn (string $field, string $message): string => '<li data-field="' . h($field) . '">' . h($message) . '</li>',
        array_keys($errors), $errors)) . '</ul>';
    echo '<html><body><h1>New ticket</h1>' . $list . '<form method="post" action="index.php?action=ticket_new">'
        . '<input type="hidden" name="csrf_token" value="' . h(csrf_token()) . '">'
        . '<input name="customer_id"><input name="subject"><select name="priority"><option>normal</option><option>high</option></select>'
        . '<button>Save</button></form></body></html>';
    exit;
}
