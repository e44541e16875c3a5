<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Client;
use JustClick\Tests\Support\Sandbox;

/**
 * Helpers shared by the tests: the shared sandbox, clients against it, the
 * exact body PHP itself would send, and "this throws that" assertions.
 */
abstract class TestCase extends \PHPUnit\Framework\TestCase
{
    protected static function sandbox(): Sandbox
    {
        return Sandbox::main();
    }

    /** @param array<string, mixed> $extra */
    protected static function client(array $extra = [], ?Sandbox $sb = null): Client
    {
        $sb ??= self::sandbox();
        return new Client(Sandbox::LOGIN, $sb->secret, $sb->options($extra));
    }

    /**
     * What the seeds' PHP sends for $params: http_build_query() and the hash
     * over it, byte for byte.
     *
     * @param array<array-key, mixed> $params
     */
    protected static function phpBody(array $params, ?Sandbox $sb = null): string
    {
        $sb ??= self::sandbox();
        $query = http_build_query($params);
        return $query . '&hash=' . md5($query . '::' . Sandbox::LOGIN . '::' . $sb->secret);
    }

    /**
     * Waits (up to 10 s) until a helper process listens on loopback $port;
     * the test's own requests then fail with a clear error if it never did.
     */
    protected static function awaitListener(int $port): void
    {
        for ($i = 0; $i < 500; $i++) {
            $s = @stream_socket_client("tcp://127.0.0.1:$port");
            if ($s !== false) {
                fclose($s);
                return;
            }
            usleep(20000);
        }
    }

    /**
     * Runs $fn, asserts that it throws exactly $class, and returns the
     * exception for further checks.
     *
     * @template T of \Throwable
     * @param class-string<T> $class
     * @return T
     */
    protected static function thrown(string $class, callable $fn): \Throwable
    {
        try {
            $fn();
        } catch (\Throwable $e) {
            self::assertSame($class, get_class($e), 'wrong exception: ' . get_class($e) . ': ' . $e->getMessage());
            return $e;
        }
        self::fail("no $class was thrown");
    }

    /** The seed data of JustClick's UpdateGood help page, every field. */
    protected static function superTovar(): array
    {
        return [
            'good_name' => 'super_tovar',
            'good_title' => 'Супер набор из 10 DVD по приготовлению яичницы',
            'parent_id' => 111,
            'good_sum' => 999887,
            'good_api_url_notif' => 'https://мойсайт.рф/мой_скрипт_приёма_заказов.php',
            'good_api_url_new_order' => 'https://мойсайт.рф/мой_скрипт_оформления_заказов3.php',
            'good_success_link' => 'https://мойсайт.рф/спасибо_за_покупку.php',
            'good_client_rassilki' => 'second, clients_super_tovar',
            'good_nalozh_only' => 0,
            'good_quickpost_article' => 12345678,
            'good_post_service' => 'quickpost',
            'good_only_countries' => 'RUS,UKR',
            'good_download' => 'https://мойсайт.рф/downloads/yaichnica_10dvd.zip',
            'good_mail_subject' => 'Спасибо за покупку "Супер набора из 10 DVD по приготовлению яичницы"',
            'good_mail_format' => 'text',
            'good_mail_body' => '',
            'good_mail_text' => 'Спасибо за покупку! Ссылка для скачивания: {$download}',
            'good_partner_fee' => 90,
            'good_partner_fee_perc' => '5',
            'good_partner_pfee' => 10,
            'good_partner_pfee_perc' => '5',
            'good_partner_show' => 1,
            'good_partner_SL_link' => 'https://мойсайт.рф/яичница_это_вкусно.html',
            'good_partner_addition_link' => 'https://мойсайт.рф/banners.html',
            'good_partner_text' => 'Рекламируйте быстрее, это хорошо покупают.',
            'good_pay_text' => "<h1>Оформление заказа</h1>\n<p>#PRODUCT#</p>\n<p>#PRICE#</p>",
            'good_timer' => 1,
            'good_timer_unit' => 'day',
            'good_timer_duration' => 2,
            'good_use_short' => 0,
            'good_rashod' => 10,
            'good_rashod_perc' => 6,
            'good_publish' => 1,
        ];
    }
}
