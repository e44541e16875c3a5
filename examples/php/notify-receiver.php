<?php

/**
 * A JustClick notification receiver: point a product's notification URLs
 * (`good_api_url_new_order`, `good_api_url_notif`, ...) at this script.
 *
 * It reads the raw POST body, lets libjustclick parse it as PHP fills
 * $_POST and check its `hash` (md5 of id, email, time and your API key, in
 * constant time), logs one line and answers:
 *
 *   200 "OK"         a verified order event, or a subscription event (these
 *                    carry no hash: treat them as hints)
 *   403 "Forbidden"  a missing or wrong hash: forged, altered, or signed
 *                    with another key; nothing in it is acted on
 *   400              a body that is no JustClick notification
 *   405 / 500        not a POST / not configured
 *
 * Environment: JUSTCLICK_LOGIN and JUSTCLICK_SECRET (required),
 * JUSTCLICK_LIB (libjustclick.so; default the repository's release build),
 * JUSTCLICK_NOTIFY_LOG (a file to append the log lines to; default PHP's
 * error_log). Try it with PHP's own server:
 *
 *     JUSTCLICK_LOGIN=demo JUSTCLICK_SECRET=... \
 *         php -d ffi.enable=1 -S 127.0.0.1:8090 examples/php/notify-receiver.php
 *
 * Only `id`, `email` and the time are signed: before shipping goods, read
 * the order's sums with getOrderDetails().
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

use JustClick\BadSignatureException;
use JustClick\Client;
use JustClick\ExceptionInterface as JustClickException;
use JustClick\InvalidArgumentException;

/** Writes one log line (never the secret: the library keeps it out of messages). */
function notify_log(string $line): void
{
    $file = getenv('JUSTCLICK_NOTIFY_LOG');
    $line = date('c') . ' justclick-notify: ' . $line;
    if (is_string($file) && $file !== '') {
        file_put_contents($file, $line . "\n", FILE_APPEND | LOCK_EX);
    } else {
        error_log($line);
    }
}

function answer(int $code, string $text): void
{
    http_response_code($code);
    header('Content-Type: text/plain; charset=UTF-8');
    echo $text;
}

if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
    answer(405, 'Method Not Allowed');
    return;
}
$login = getenv('JUSTCLICK_LOGIN');
$secret = getenv('JUSTCLICK_SECRET');
if (!is_string($login) || $login === '' || !is_string($secret) || $secret === '') {
    notify_log('not configured: set JUSTCLICK_LOGIN and JUSTCLICK_SECRET');
    answer(500, 'Not configured');
    return;
}

try {
    $jc = new Client($login, $secret);
    $n = $jc->verifyNotification((string) file_get_contents('php://input'));
} catch (BadSignatureException $e) {
    notify_log('REJECTED (bad signature) from ' . ($_SERVER['REMOTE_ADDR'] ?? '?') . ': ' . $e->getMessage());
    answer(403, 'Forbidden');
    return;
} catch (InvalidArgumentException $e) {
    notify_log('REJECTED (not a notification): ' . $e->getMessage());
    answer(400, 'Bad Request');
    return;
} catch (JustClickException $e) {
    notify_log('ERROR ' . get_class($e) . ': ' . $e->getMessage());
    answer(500, 'Internal Server Error');
    return;
}

notify_log(sprintf(
    '%s %s order=%s email=%s',
    $n->event,
    $n->verified ? "verified ($n->hashRule)" : 'unsigned',
    $n->id() ?? '-',
    $n->email() ?? '-'
));

// Act on the event here, e.g.:
switch ($n->event) {
    case 'payment':
        // $order = $jc->getOrderDetails(billId: $n->id()); check the sums, ship.
        break;
    case 'subscribe':
    case 'unsubscribe':
        // Unsigned: confirm with $jc->getLeadGroupStatuses(['email' => $n->email()]).
        break;
}

answer(200, 'OK');
