<?php

/**
 * What a shop does with JustClick, from PHP: subscribe a contact, create a
 * product whose notifications come to your own receiver, take an order,
 * read it back, mark it paid, list the orders of the last three months in
 * one call, and see the notifications your receiver verified.
 *
 * `make demo` runs it against the local sandbox, with
 * examples/php/notify-receiver.php served by `php -S` as the receiver.
 * Environment: JUSTCLICK_LOGIN, JUSTCLICK_SECRET, JUSTCLICK_BASE_URL,
 * JUSTCLICK_CA_FILE, JUSTCLICK_DEMO_RECEIVER (the receiver's URL) and
 * JUSTCLICK_NOTIFY_LOG (the receiver's log file).
 */

declare(strict_types=1);

// The JustClick package: Composer's autoloader when this script sits in a
// Composer project, else the package beside it in this repository
// (bindings/php) or in the release archive (share/justclick/php).
(static function (): void {
    foreach ([__DIR__ . '/vendor/autoload.php', __DIR__ . '/../../bindings/php/autoload.php', __DIR__ . '/../../php/autoload.php'] as $autoload) {
        if (is_file($autoload)) {
            require $autoload;
            return;
        }
    }
    fwrite(STDERR, "the JustClick PHP package is not installed: composer require libjustclick/justclick-ffi\n");
    exit(2);
})();

use JustClick\Client;
use JustClick\ExceptionInterface as JustClickException;

function env(string $name): string
{
    $value = getenv($name);
    if (!is_string($value) || $value === '') {
        fwrite(STDERR, "shop.php: set $name\n");
        exit(2);
    }
    return $value;
}

try {
    $jc = new Client(env('JUSTCLICK_LOGIN'), env('JUSTCLICK_SECRET'), [
        'base_url' => env('JUSTCLICK_BASE_URL'),
        'ca_file' => env('JUSTCLICK_CA_FILE'),
    ]);
    $receiver = env('JUSTCLICK_DEMO_RECEIVER');
    $log = env('JUSTCLICK_NOTIFY_LOG');

    $lead = $jc->addLeadToGroup(rid: ['second'], leadEmail: 'anna@example.com', leadName: 'Анна');
    echo "AddLeadToGroup anna@example.com -> second: {$lead['error_text']}\n";
    $again = $jc->addLeadToGroup(rid: ['second'], leadEmail: 'anna@example.com');
    echo '  the same again: ' . ($again['alreadyRegistered'] ? 'already registered (nothing changed)' : 'subscribed') . "\n";
    foreach ($jc->getLeadGroupStatuses(['email' => 'anna@example.com']) as $group) {
        echo "  group {$group['rass_name']} ({$group['rass_title']}): {$group['rass_status']}\n";
    }

    $jc->addGood([
        'good_name' => 'demo_course',
        'good_type' => '0',
        'good_title' => 'Demo course',
        'good_sum' => 1490,
        'good_api_url_new_order' => $receiver,
        'good_api_url_notif' => $receiver,
    ]);
    echo "AddGood demo_course, notifications to $receiver\n";

    $order = [['good_name' => 'demo_course']];
    $created = $jc->createOrder(goods: $order, billEmail: 'anna@example.com', billFirstName: 'Анна');
    $billId = (string) $created['bill_id'];
    echo "CreateOrder: order $billId\n";
    $dup = $jc->createOrder(goods: $order, billEmail: 'anna@example.com', billFirstName: 'Анна');
    echo '  the same again: ' . ($dup['alreadyExisted'] ? "already exists, order {$dup['bill_id']}" : 'a new order') . "\n";

    $details = $jc->getOrderDetails(billId: $billId);
    echo "getOrderDetails $billId: {$details['price']} roubles, {$details['pay_status']}, " . count($details['items'] ?? []) . " line(s)\n";

    $jc->updateOrderStatus($billId, 'paid', time());
    echo "UpdateOrderStatus $billId paid\n";

    $orders = $jc->getOrdersWithGoods([
        'begin_date' => date('d.m.Y', strtotime('-90 days')),
        'end_date' => date('d.m.Y'),
    ]);
    echo 'getOrdersWithGoods, last 90 days in one call (the service answers a month at a time): ' . count($orders) . " orders\n";

    // The sandbox posts notifications from a background thread: wait for
    // the receiver to have logged both (new order, payment).
    $lines = [];
    for ($i = 0; $i < 100 && count($lines) < 2; $i++) {
        usleep(50_000);
        clearstatcache();
        $lines = is_file($log) ? file($log, FILE_IGNORE_NEW_LINES) : [];
    }
    echo "The receiver (notify-receiver.php) logged:\n";
    foreach ($lines as $line) {
        echo '  ' . preg_replace('/^\S+ justclick-notify: /', '', $line) . "\n";
    }
    if (count($lines) < 2) {
        fwrite(STDERR, "shop.php: the receiver logged " . count($lines) . " notification(s), 2 expected\n");
        exit(1);
    }
} catch (JustClickException $e) {
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
    exit(1);
}
