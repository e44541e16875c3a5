<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Client;

/**
 * call() sends exactly the bytes PHP's own http_build_query() produces
 * (compared with the sandbox's last_body), the server's PHP-style parse of
 * them gives back what PHP's parse_str() would (SandboxEcho), and Cyrillic
 * and emoji survive the round trip through a stored product.
 */
final class WireTest extends TestCase
{
    /** @return array<string, array{0: array<array-key, mixed>}> */
    public static function params(): array
    {
        return [
            'Cyrillic' => [['lead_name' => 'Иван Петров', 'город' => 'Москва']],
            'emoji' => [['comment' => 'hi 😀', 'flags' => '🇷🇺👍🏽', 'good_title' => 'Яичница 🍳 «люкс»']],
            'specials' => [['comment' => "a*b ~user 'q' (x) !y +z &=%/?#[]@:;,\$"]],
            'whitespace and control bytes' => [['text' => "line1\nline2\r\n\ttab \x01\x7f"]],
            'nested list' => [['rid' => ['g1', 'g2']]],
            'nested map and list of maps' => [['goods' => [['good_name' => 'oplata', 'count' => 2], ['good_name' => 'sales']]]],
            'deep nesting' => [['a' => ['b' => ['c' => ['d' => ['e' => 'deep']]]]]],
            'sparse int keys' => [['b' => [3 => 'x', 7 => 'y'], 5 => 'top']],
            'top-level list' => [['first', 'second']],
            'scalars' => [['int' => 42, 'neg' => -7, 'zero' => 0, 'max' => PHP_INT_MAX, 't' => true, 'f' => false, 'half' => 1.5, 'tenth' => 0.1]],
            'null and empty array are skipped' => [['a' => null, 'b' => [], 'c' => '', 'd' => ['x' => null, 'y' => 'kept']]],
            'NUL inside a value travels as %00' => [['a' => "x\0y"]],
            'order kept' => [['z' => '1', 'a' => '2', 'm' => '3']],
            'long value' => [['text' => str_repeat('Длинный текст. ', 2000)]],
        ];
    }

    /**
     * @dataProvider params
     * @param array<array-key, mixed> $params
     */
    public function testCallSendsWhatHttpBuildQuerySends(array $params): void
    {
        $jc = self::client();
        $echo = $jc->call('SandboxEcho', $params);
        self::assertSame(self::phpBody($params), self::sandbox()->stats()['last_body']);
        parse_str(http_build_query($params), $parsed);
        self::assertSame($parsed, $echo, 'the server parsed what PHP parse_str parses');
    }

    public function testCyrillicAndEmojiRoundTripThroughAStoredProduct(): void
    {
        self::sandbox()->reset();
        $jc = self::client();
        $good = [
            'good_name' => 'sales',
            'good_title' => 'Продажи в кинотеатрах 🎬🍿',
            'good_sum' => 990,
            'good_success_link' => 'https://мойсайт.рф/спасибо?за=покупку&emoji=🎉',
            'good_mail_subject' => 'Ваш заказ №42 😀',
            'good_partner_text' => "Рекламируйте — это «хит» 🔥\nВторая строка",
        ];
        self::assertSame('Продукт обновлен', $jc->updateGood($good));
        self::assertSame(self::phpBody($good), self::sandbox()->stats()['last_body']);
        $stored = null;
        foreach ($jc->call('GetAllGoods') as $g) {
            if ($g['good_name'] === 'sales') {
                $stored = $g;
            }
        }
        self::assertIsArray($stored);
        foreach ($good as $field => $value) {
            self::assertSame((string) $value, $stored[$field], $field);
        }
    }

    public function testUpdateGoodSendsFieldsInTheApiOrder(): void
    {
        // The library sends UpdateGood fields in the documented order (that
        // of the help page), whatever the order of the PHP array.
        self::sandbox()->reset();
        $good = self::superTovar();
        $reversed = array_reverse($good, true);
        self::assertSame('Продукт обновлен', self::client()->updateGood($reversed));
        self::assertSame(self::phpBody($good), self::sandbox()->stats()['last_body']);
    }

    public function testServiceTextsAreDecodedUtf8(): void
    {
        self::sandbox()->reset();
        // error_text arrives as \u escapes in PHP's json_encode; PHP gets UTF-8.
        self::assertSame('Заказ удален', self::client()->deleteOrder('258367'));
        $e = self::thrown(\JustClick\ApiException::class, fn () => self::client()->deleteOrder('258367'));
        self::assertSame('Заказ не существует', $e->getMessage());
        self::assertTrue(mb_check_encoding($e->getMessage(), 'UTF-8'));
    }

    public function testUserAgentIsTheLibrarys(): void
    {
        $jc = self::client();
        $jc->call('SandboxEcho', ['a' => '1']);
        self::assertSame('justclick/' . $jc->libraryVersion(), self::sandbox()->stats()['last_user_agent']);
        $custom = self::client(['user_agent' => 'my-shop/1.0']);
        $custom->call('SandboxEcho', ['a' => '1']);
        self::assertSame('my-shop/1.0', self::sandbox()->stats()['last_user_agent']);
    }

    public function testFloatsAreSentAsHttpBuildQueryWritesThem(): void
    {
        // http_build_query() writes doubles with `precision` (14) digits:
        // the service must store the same text a PHP client would send.
        $params = ['third' => 1 / 3, 'big' => 1e20, 'sum' => 0.1 + 0.2, 'tiny' => 1e-7, 'neg' => -0.0];
        $echo = self::client()->call('SandboxEcho', $params);
        parse_str(http_build_query($params), $php);
        self::assertSame($php, $echo);
        self::assertSame(['third' => '0.33333333333333', 'big' => '1.0E+20', 'sum' => '0.3', 'tiny' => '1.0E-7', 'neg' => '-0'], $echo);
    }

    public function testKeepAliveReusesOneConnection(): void
    {
        $sb = Support\Sandbox::start();
        $jc = new Client('demo', $sb->secret, $sb->options());
        for ($i = 0; $i < 20; $i++) {
            $jc->call('SandboxEcho', ['i' => $i]);
        }
        $stats = $sb->stats();
        self::assertSame(20, $stats['requests']);
        self::assertSame(1, $stats['api_connections'], '20 calls over one kept-alive connection');
        $sb->stop();
    }
}
