<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Library;
use JustClick\Tests\Fpm\Pool;
use JustClick\Tests\Support\Sandbox;

/**
 * The PHP-FPM way works with Debian's php-fpm: ffi.enable=preload (which
 * forbids FFI::cdef at request time), opcache.preload=preload.php, and the
 * client finding the preloaded scope JUSTCLICK by itself. A request is sent
 * with cgi-fcgi (libfcgi-bin) to a private php-fpm master started here in
 * the foreground on a unix socket in a temporary directory.
 *
 * Two ways to get the library into the scope:
 * - ffi.preload=<header with an absolute FFI_LIB> (the way when the master
 *   starts as root, as Debian's service does: PHP then runs
 *   opcache.preload in a child as opcache.preload_user and forbids
 *   FFI::load there);
 * - preload.php loading it itself with FFI::load (master not root; when
 *   these tests run as root, the master is started as nobody with setpriv).
 *
 * About the FFI engine, or drives both engines itself: run once.
 *
 * @group once
 */
final class FpmTest extends TestCase
{
    private Pool $pool;

    protected function setUp(): void
    {
        $this->pool = new Pool();
        self::sandbox()->reset();
    }

    protected function tearDown(): void
    {
        $this->pool->remove();
    }

    /**
     * Starts the pool; the master gets JUSTCLICK_LIB (for preload.php), the
     * workers do not: the client must find the preloaded scope by itself.
     *
     * @param array<string, string> $ini
     */
    private function startFpm(array $ini, bool $asRoot = false): ?string
    {
        return $this->pool->start($ini, [], $asRoot, ['JUSTCLICK_LIB' => Sandbox::lib()]);
    }

    /** @return array<string, mixed> the JSON printed by tests/fpm/request.php */
    private function request(): array
    {
        $sb = self::sandbox();
        [$headers, $body] = $this->pool->exchange(__DIR__ . '/fpm/request.php', [
            'JUSTCLICK_TEST_BASE_URL' => $sb->baseUrl,
            'JUSTCLICK_TEST_SECRET' => $sb->secret,
        ]);
        self::assertStringContainsString('application/json', $headers);
        $doc = json_decode($body, true);
        self::assertIsArray($doc, "not JSON: $body\n" . $this->pool->logs());
        return $doc;
    }

    /** What a request through the preloaded scope must show. */
    private function assertServedThroughTheScope(array $doc): void
    {
        self::assertArrayNotHasKey('error', $doc, (string) ($doc['error'] ?? '') . "\n" . $this->pool->logs());
        self::assertSame('fpm-fcgi', $doc['sapi']);
        self::assertSame('preload', $doc['ffi.enable']);
        self::assertSame('refused', $doc['cdef'], 'ffi.enable=preload must forbid FFI::cdef in a request');
        self::assertSame('FFI::scope(JUSTCLICK)', $doc['library']);
        self::assertContains('JustClick\\Client', $doc['preloaded'], 'preload.php preloads the classes');
        self::assertSame([
            258367 => [12549 => ['good_name' => 'oplata', 'good_title' => 'Оплата за тренинг']],
            258368 => [
                13011 => ['good_name' => 'sales', 'good_title' => 'Продажи в кинотеатрах'],
                28363 => ['good_name' => '222', 'good_title' => '222 способа'],
            ],
        ], $doc['bills']);
        self::assertSame(['name' => 'Иван 😀', 'rid' => ['g1', 'g2']], $doc['echo']);
        self::assertSame([200, 'Заказ не существует'], $doc['api_error']);
        self::assertSame([['i' => '1'], 'JustClick\\HttpStatusException'], $doc['batch']);
    }

    /** @return array<string, string> */
    private static function baseIni(): array
    {
        return [
            'opcache.enable' => '1',
            'opcache.enable_cli' => '0',
            'opcache.preload' => dirname(__DIR__) . '/preload.php',
            'ffi.enable' => 'preload',
        ];
    }

    public function testFfiPreloadPlusOpcachePreload(): void
    {
        $header = $this->pool->dir . '/justclick_php.h';
        file_put_contents($header, Library::headerText(Sandbox::lib()));
        chmod($header, 0644);
        $ini = self::baseIni() + ['ffi.preload' => $header];
        if (Pool::isRoot()) {
            // Required when the master is root; the preload child runs as nobody.
            $ini['opcache.preload_user'] = 'nobody';
        }
        $failure = $this->startFpm($ini, Pool::isRoot());
        self::assertNull($failure, (string) $failure);
        $first = $this->request();
        $this->assertServedThroughTheScope($first);
        $second = $this->request();
        $this->assertServedThroughTheScope($second);
        self::assertSame($first['pid'], $second['pid'], 'the same worker served both requests');
    }

    public function testPreloadScriptLoadsTheLibraryItself(): void
    {
        if (Pool::isRoot()) {
            // As root, PHP forbids FFI::load in preload.php; it must say what
            // to do, in the log, without stopping php-fpm (PreloadFailureTest).
            $failure = $this->startFpm(self::baseIni() + ['opcache.preload_user' => 'nobody'], true);
            self::assertNull($failure, (string) $failure);
            $log = $this->pool->logs();
            $this->pool->clear();
            self::assertStringContainsString('JustClick preload: ', $log);
            self::assertStringContainsString('ffi.preload', $log);
            self::assertStringContainsString('ffi-header.php', $log);
            // The same without root: Pool starts the master as nobody
            // (setpriv, util-linux).
        }
        $failure = $this->startFpm(self::baseIni());
        self::assertNull($failure, (string) $failure);
        $this->assertServedThroughTheScope($this->request());
    }
}
