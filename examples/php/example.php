<?php

/**
 * Does what the four PHP snippets of JustClick's API help pages do, with the
 * same data, through JustClick\Client: signed requests, verified answers,
 * TLS always verified, exceptions instead of echoed error codes.
 *
 *   1. DeleteOrder        order 1111
 *   2. UpdateOrderStatus  order 100000 sent, tracking number 10000000000000,
 *                         3 March 2013 00:00 Moscow time (1362254400)
 *   3. GetBills           the paid orders of client@example.com (the help
 *                         page's snippet forgets to send the e-mail)
 *   4. UpdateGood         product super_tovar with all its fields
 *
 * Environment: JUSTCLICK_LOGIN and JUSTCLICK_SECRET (required),
 * JUSTCLICK_BASE_URL (e.g. the local sandbox http://127.0.0.1:PORT; default
 * https://{login}.justclick.ru), JUSTCLICK_CA_FILE (extra CA, e.g. the
 * sandbox's with --tls), JUSTCLICK_ENGINE (`auto`, the default: libjustclick
 * through FFI where it loads, else the pure-PHP engine; `ffi`; `php`),
 * JUSTCLICK_LIB (libjustclick.so; default the system's, then the
 * repository's release build).
 *
 *     JUSTCLICK_LOGIN=demo JUSTCLICK_SECRET=... JUSTCLICK_BASE_URL=http://127.0.0.1:8089 \
 *         php examples/php/example.php
 *
 * Prints one line per call; exits 0 when all four succeed, 1 when one
 * fails, 2 on a usage error.
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

use JustClick\ApiException;
use JustClick\Client;
use JustClick\ExceptionInterface as JustClickException;

/** An environment variable, or null when unset or empty. */
function env(string $name): ?string
{
    $v = getenv($name);
    return is_string($v) && $v !== '' ? $v : null;
}

/** One line about a failed call, in English (the service's text may be Russian). */
function failure(Throwable $e): string
{
    if ($e instanceof ApiException) {
        return sprintf('the service answered error %d "%s"', $e->getCode(), $e->getMessage());
    }
    $class = substr(strrchr(get_class($e), '\\') ?: get_class($e), 1) ?: get_class($e);
    return "$class: " . $e->getMessage();
}

$login = env('JUSTCLICK_LOGIN');
$secret = env('JUSTCLICK_SECRET');
if ($login === null || $secret === null) {
    fwrite(STDERR, "usage: JUSTCLICK_LOGIN=... JUSTCLICK_SECRET=... [JUSTCLICK_BASE_URL=...] "
        . "[JUSTCLICK_CA_FILE=...] [JUSTCLICK_ENGINE=auto|ffi|php] [JUSTCLICK_LIB=...] php example.php\n");
    exit(2);
}
$options = array_filter([
    'base_url' => env('JUSTCLICK_BASE_URL'),
    'ca_file' => env('JUSTCLICK_CA_FILE'),
    'engine' => env('JUSTCLICK_ENGINE'),
    'timeout_ms' => 15000,
], static fn ($v) => $v !== null);

try {
    $jc = new Client($login, $secret, $options);
} catch (JustClickException $e) {
    fwrite(STDERR, 'Cannot create the client: ' . failure($e) . "\n");
    exit(1);
}
printf(
    "JustClick account %s at %s, justclick %s, engine %s\n",
    $login,
    $options['base_url'] ?? "https://$login.justclick.ru",
    $jc->libraryVersion(),
    $jc->engine()
);

$failed = 0;

/**
 * Runs one call and prints one line: what it did and the outcome.
 *
 * @param callable(): string $call returns the success line
 */
$step = static function (string $what, callable $call) use (&$failed): void {
    try {
        $line = $call();
    } catch (JustClickException $e) {
        $failed++;
        $line = 'FAILED, ' . failure($e);
    }
    echo $what, ': ', $line, "\n";
};

// 1. DeleteOrder (seed: "Пример на PHP удаления заказа", order 1111).
$step('DeleteOrder 1111', static function () use ($jc): string {
    $text = $jc->deleteOrder('1111');
    return "order deleted; the service says \"$text\"";
});

// 2. UpdateOrderStatus (seed: order 100000 mailed on 3 March 2013 00:00, RPO 10000000000000).
$step('UpdateOrderStatus 100000', static function () use ($jc): string {
    $date = 1362254400;
    $text = $jc->updateOrderStatus('100000', 'sent', $date, '10000000000000');
    $moscow = (new DateTimeImmutable('@' . $date))->setTimezone(new DateTimeZone('Europe/Moscow'));
    return sprintf(
        'order marked as sent with tracking number 10000000000000 on %s Moscow time (%d); the service says "%s"',
        $moscow->format('Y-m-d H:i'),
        $date,
        $text
    );
});

// 3. GetBills (seed: all paid orders of one customer; unlike the seed, the e-mail is sent).
$step('GetBills client@example.com', static function () use ($jc): string {
    $bills = $jc->getBills('client@example.com', 'paid');
    $orders = [];
    foreach ($bills as $billId => $goods) {
        $items = [];
        foreach ($goods as $good) {
            $items[] = sprintf('%s "%s"', $good['good_name'], $good['good_title']);
        }
        $orders[] = "$billId (" . implode(', ', $items) . ')';
    }
    return sprintf('%d paid orders: %s', count($bills), implode('; ', $orders));
});

// 4. UpdateGood (seed: product super_tovar, every field the help page sends).
$step('UpdateGood super_tovar', static function () use ($jc): string {
    $good = [
        'good_name' => 'super_tovar',
        'good_title' => 'Супер набор из 10 DVD по приготовлению яичницы', // название продукта
        'parent_id' => 111, // ID категории, в которую добавится продукт
        'good_sum' => 999887, // цена продукта в рублях, обязательное поле или запишется ноль
        'good_api_url_notif' => 'https://мойсайт.рф/мой_скрипт_приёма_заказов.php', // оповещение об оплаченном счёте
        'good_api_url_new_order' => 'https://мойсайт.рф/мой_скрипт_оформления_заказов3.php', // об оформленном счёте
        'good_success_link' => 'https://мойсайт.рф/спасибо_за_покупку.php', // URL после успешной оплаты
        'good_client_rassilki' => 'second, clients_super_tovar', // группы, куда попадут покупатели
        'good_nalozh_only' => 0, // только наложенным платежом: 0 - нет, 1 - да
        'good_quickpost_article' => 12345678, // артикул товара в QuickPost
        'good_post_service' => 'quickpost', // 'none' - доставляю сам, 'quickpost', 'rps'
        'good_only_countries' => 'RUS,UKR', // страны доставки (через запятую без пробелов!)
        'good_download' => 'https://мойсайт.рф/downloads/yaichnica_10dvd.zip', // ссылка для скачивания
        'good_mail_subject' => 'Спасибо за покупку "Супер набора из 10 DVD по приготовлению яичницы"',
        'good_mail_format' => 'text', // 'html' или 'text'
        'good_mail_body' => '', // html-код письма
        'good_mail_text' => 'Спасибо за покупку! Ссылка для скачивания: {$download}', // текст письма
        'good_partner_fee' => 90, // комиссионные партнёра первого уровня в рублях
        'good_partner_fee_perc' => '5', // комиссионные партнёра первого уровня в %
        'good_partner_pfee' => 10, // комиссионные партнёра второго уровня в рублях
        'good_partner_pfee_perc' => '5', // комиссионные партнёра второго уровня в %
        'good_partner_show' => 1, // показывать в рекламных материалах партнёра
        'good_partner_SL_link' => 'https://мойсайт.рф/яичница_это_вкусно.html', // продающее письмо
        'good_partner_addition_link' => 'https://мойсайт.рф/banners.html', // рекламные материалы
        'good_partner_text' => 'Рекламируйте быстрее, это хорошо покупают.', // информация для партнёров
        'good_pay_text' => '<h1>Оформление заказа</h1>
<p>#PRODUCT#</p>
<p>#PRICE#</p>', // html-код для страницы оплаты заказа
        'good_timer' => 1, // ограничение по времени для оплаты заказа
        'good_timer_unit' => 'day', // 'min', 'hour' или 'day'
        'good_timer_duration' => 2, // 2 дня
        'good_use_short' => 0, // короткая ссылка для страницы заказа
        'good_rashod' => 10, // расходы на изготовление и отправку в рублях
        'good_rashod_perc' => 6, // расходы в процентах от цены
        'good_publish' => 1, // отображать продукт в каталоге
    ];
    $text = $jc->updateGood($good);
    return sprintf('product updated with all %d fields; the service says "%s"', count($good), $text);
});

if ($failed > 0) {
    echo "$failed of 4 calls failed.\n";
    exit(1);
}
echo "All 4 calls succeeded.\n";
exit(0);
