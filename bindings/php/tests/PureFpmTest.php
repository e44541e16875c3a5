<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Tests\Fpm\Pool;
use JustClick\Tests\Support\Sandbox;

/**
 * PHP-FPM as a shared host runs it: php.ini as Debian ships it (FFI only
 * for preloaded code, and nothing preloaded), which the user cannot
 * change. The demo's shop flow must be served by the pure-PHP engine, over
 * HTTPS verified against the sandbox's CA, with nothing in the logs.
 *
 * Drives the engines itself (no FFI is possible here): run once.
 *
 * @group once
 */
final class PureFpmTest extends TestCase
{
    private Pool $pool;

    /** @var resource|null */
    private $receiver = null;

    protected function setUp(): void
    {
        $this->pool = new Pool();
    }

    protected function tearDown(): void
    {
        $this->pool->remove();
        if (is_resource($this->receiver)) {
            proc_terminate($this->receiver);
            proc_close($this->receiver);
        }
    }

    public function testTheShopFlowIsServedByThePureEngine(): void
    {
        $sb = Sandbox::start(['--tls']);
        $ca = $this->pool->dir . '/ca.pem';
        copy((string) $sb->caFile, $ca);
        chmod($ca, 0644);
        $log = $this->pool->dir . '/notify.log';
        $port = self::freePort();
        // The shop's own receiver, as `make demo` serves it.
        $this->receiver = proc_open(
            [PHP_BINARY, '-S', "127.0.0.1:$port", dirname(__DIR__, 3) . '/examples/php/notify-receiver.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
            null,
            ['JUSTCLICK_LOGIN' => 'demo', 'JUSTCLICK_SECRET' => $sb->secret, 'JUSTCLICK_NOTIFY_LOG' => $log,
                'JUSTCLICK_LIB' => Sandbox::lib(), 'PATH' => (string) getenv('PATH')]
        );
        self::awaitListener($port);

        $failure = $this->pool->start([], [
            'JUSTCLICK_LOGIN' => 'demo',
            'JUSTCLICK_SECRET' => $sb->secret,
            'JUSTCLICK_BASE_URL' => $sb->baseUrl,
            'JUSTCLICK_CA_FILE' => $ca,
            'JUSTCLICK_DEMO_RECEIVER' => "http://127.0.0.1:$port/notify",
            'JUSTCLICK_NOTIFY_LOG' => $log,
        ]);
        self::assertNull($failure, (string) $failure);
        [$headers, $body] = $this->pool->exchange(__DIR__ . '/fpm/shop.php');
        $logs = $this->pool->logs();
        self::assertStringContainsString('text/plain', $headers, $body . $logs);
        self::assertStringContainsString('AddLeadToGroup anna@example.com -> second: ', $body, $logs);
        self::assertStringContainsString('  the same again: already registered (nothing changed)', $body);
        self::assertMatchesRegularExpression('/^CreateOrder: order \d+$/m', $body);
        self::assertMatchesRegularExpression('/^  the same again: already exists, order \d+$/m', $body);
        self::assertStringContainsString('getOrdersWithGoods, last 90 days in one call', $body);
        self::assertMatchesRegularExpression('/^  .*new_order.*$/m', $body);
        self::assertMatchesRegularExpression('/^  .*payment.*$/m', $body);
        self::assertStringEndsWith("engine php\n", $body, 'served by the pure-PHP engine');
        self::assertStringNotContainsString($sb->secret, $body . $logs);
        // Nothing logged by PHP: no warning about FFI, none at all.
        self::assertSame('', (string) @file_get_contents($this->pool->dir . '/php.log'), $logs);
        self::assertDoesNotMatchRegularExpression('/WARNING|PHP (Warning|Notice|Deprecated|Fatal)/i', $logs);
        $sb->stop();
    }

    private static function freePort(): int
    {
        $s = stream_socket_server('tcp://127.0.0.1:0');
        self::assertIsResource($s);
        $port = (int) explode(':', (string) stream_socket_get_name($s, false))[1];
        fclose($s);
        return $port;
    }
}
