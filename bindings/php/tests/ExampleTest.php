<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Tests\Support\Sandbox;

/**
 * example.php, the drop-in replacement of the four seed snippets, against a
 * fresh sandbox, as the demo runs it.
 */
final class ExampleTest extends TestCase
{
    /**
     * @param array<string, string> $env
     *
     * @return array{0: int, 1: string, 2: string} exit code, stdout, stderr
     */
    private static function runExample(array $env): array
    {
        $env += ['PATH' => (string) getenv('PATH'), 'JUSTCLICK_LIB' => Sandbox::lib(), 'JUSTCLICK_ENGINE' => Sandbox::engine()];
        $proc = proc_open([PHP_BINARY, dirname(__DIR__, 3) . '/examples/php/example.php'], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        self::assertIsResource($proc);
        $out = (string) stream_get_contents($pipes[1]);
        $err = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return [proc_close($proc), $out, $err];
    }

    public function testAgainstAFreshSandbox(): void
    {
        $sb = Sandbox::start();
        $env = ['JUSTCLICK_LOGIN' => 'demo', 'JUSTCLICK_SECRET' => $sb->secret, 'JUSTCLICK_BASE_URL' => $sb->baseUrl];
        [$rc, $out, $err] = self::runExample($env);
        self::assertSame(0, $rc, $out . $err);
        self::assertSame('', $err);
        $lines = explode("\n", rtrim($out));
        self::assertCount(6, $lines, $out);
        self::assertMatchesRegularExpression(
            '/^JustClick account demo at ' . preg_quote($sb->baseUrl, '/') . ', justclick \d+\.\d+\.\d+\S*, engine ' . Sandbox::engine() . '$/',
            $lines[0]
        );
        self::assertSame('DeleteOrder 1111: order deleted; the service says "Заказ удален"', $lines[1]);
        self::assertSame('UpdateOrderStatus 100000: order marked as sent with tracking number 10000000000000 on 2013-03-03 00:00 Moscow time (1362254400); the service says "Статус заказа изменен"', $lines[2]);
        self::assertSame('GetBills client@example.com: 2 paid orders: 258367 (oplata "Оплата за тренинг"); 258368 (sales "Продажи в кинотеатрах", 222 "222 способа")', $lines[3]);
        self::assertSame('UpdateGood super_tovar: product updated with all 33 fields; the service says "Продукт обновлен"', $lines[4]);
        self::assertSame('All 4 calls succeeded.', $lines[5]);
        self::assertStringNotContainsString($sb->secret, $out);

        // What reached the service: the seed's data, UpdateGood last, with
        // every field exactly as the seed's http_build_query sends it.
        $stats = $sb->stats();
        self::assertSame(['DeleteOrder' => 1, 'GetBills' => 1, 'UpdateGood' => 1, 'UpdateOrderStatus' => 1], $stats['by_method']);
        self::assertSame(0, $stats['bad_signatures']);
        self::assertSame(self::phpBody(self::superTovar(), $sb), $stats['last_body']);

        // Run again: order 1111 is gone, the rest succeeds; exit 1.
        [$rc, $out] = self::runExample($env);
        self::assertSame(1, $rc, $out);
        self::assertStringContainsString('DeleteOrder 1111: FAILED, the service answered error 200 "Заказ не существует"', $out);
        self::assertStringContainsString('1 of 4 calls failed.', $out);
        $sb->stop();
    }

    public function testWrongSecretFailsEveryCallAsBadSignature(): void
    {
        $sb = Sandbox::start();
        [$rc, $out] = self::runExample(['JUSTCLICK_LOGIN' => 'demo', 'JUSTCLICK_SECRET' => 'wrong', 'JUSTCLICK_BASE_URL' => $sb->baseUrl]);
        self::assertSame(1, $rc);
        self::assertSame(4, substr_count($out, 'FAILED, BadSignatureException: '), $out);
        $sb->stop();
    }

    public function testUsageWithoutCredentials(): void
    {
        [$rc, $out, $err] = self::runExample(['JUSTCLICK_LOGIN' => 'demo']);
        self::assertSame(2, $rc);
        self::assertSame('', $out);
        self::assertStringContainsString('JUSTCLICK_SECRET', $err);
    }

    public function testMissingLibraryIsExplainedWhenFfiIsAskedFor(): void
    {
        [$rc, $out, $err] = self::runExample(['JUSTCLICK_LOGIN' => 'demo', 'JUSTCLICK_SECRET' => 's', 'JUSTCLICK_LIB' => '/nonexistent/libjustclick.so', 'JUSTCLICK_ENGINE' => 'ffi']);
        self::assertSame(1, $rc);
        self::assertStringContainsString('/nonexistent/libjustclick.so', $err);
    }

    public function testWithoutTheLibraryTheDefaultEngineIsPurePhp(): void
    {
        $sb = Sandbox::start();
        [$rc, $out, $err] = self::runExample(['JUSTCLICK_LOGIN' => 'demo', 'JUSTCLICK_SECRET' => $sb->secret, 'JUSTCLICK_BASE_URL' => $sb->baseUrl, 'JUSTCLICK_LIB' => '/nonexistent/libjustclick.so', 'JUSTCLICK_ENGINE' => 'auto']);
        self::assertSame(0, $rc, $out . $err);
        self::assertSame('', $err, 'no warning for a missing library');
        self::assertStringContainsString(', engine php', $out);
        self::assertStringContainsString('All 4 calls succeeded.', $out);
        $sb->stop();
    }
}
