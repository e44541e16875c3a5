<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Library;
use JustClick\Tests\Fpm\Pool;
use JustClick\Tests\Support\Sandbox;

/**
 * A broken install must not break the site: with opcache.preload =
 * preload.php and the library or its header missing (or a stale header),
 * php-fpm still starts, preload.php logs one line saying why, other pages
 * work, and the first use of JustClick\Client throws LibraryException
 * naming what is missing and how to fix it.
 *
 * About the FFI engine, or drives both engines itself: run once.
 *
 * @group once
 */
final class PreloadFailureTest extends TestCase
{
    private Pool $pool;

    protected function setUp(): void
    {
        $this->pool = new Pool();
    }

    protected function tearDown(): void
    {
        $this->pool->remove();
    }

    /** @return array<string, string> */
    private static function preloadIni(): array
    {
        return [
            'opcache.enable' => '1',
            'opcache.enable_cli' => '0',
            'opcache.preload' => dirname(__DIR__) . '/preload.php',
            'ffi.enable' => 'preload',
        ];
    }

    /**
     * Starts the pool, asserts it is up with exactly one "JustClick preload:"
     * line in its logs containing $mention, and returns what the first use
     * of the client threw.
     *
     * @param array<string, string> $ini
     * @param array<string, string> $env
     *
     * @return array{class: string, message: string}
     */
    private function brokenInstall(array $ini, array $env, string $mention): array
    {
        $failure = $this->pool->start($ini, $env);
        self::assertNull($failure, "php-fpm must start despite the broken install:\n$failure");
        $doc = json_decode($this->pool->request(__DIR__ . '/fpm/first-use.php'), true);
        self::assertIsArray($doc, $this->pool->logs());
        self::assertSame('up', $doc['site']);
        self::assertSame('fpm-fcgi', $doc['sapi']);
        self::assertArrayNotHasKey('client', $doc, 'the client must not work: ' . $this->pool->logs());
        self::assertSame('php', $doc['auto'], 'the default engine serves without the library');

        $lines = preg_grep('/JustClick preload: /', explode("\n", $this->pool->logs()));
        self::assertCount(1, $lines, 'one log line: ' . $this->pool->logs());
        self::assertStringContainsString($mention, (string) reset($lines));
        self::assertStringNotContainsString('secret-of-first-use', $this->pool->logs());
        return $doc;
    }

    public function testMissingLibrary(): void
    {
        $lib = $this->pool->dir . '/moved/libjustclick.so';
        $doc = $this->brokenInstall(self::preloadIni(), ['JUSTCLICK_LIB' => $lib], $lib);
        self::assertSame('JustClick\\LibraryException', $doc['class']);
        self::assertStringContainsString('not preloaded', $doc['message']);
        self::assertStringContainsString("libjustclick not found at $lib", $doc['message']);
        self::assertStringContainsString('JUSTCLICK_LIB', $doc['message']);
        self::assertStringContainsString('JustClick preload:', $doc['message'], 'where the reason was logged');
        self::assertStringContainsString('restart PHP-FPM', $doc['message']);
    }

    public function testMissingHeader(): void
    {
        $header = $this->pool->dir . '/gone/justclick_php.h';
        $doc = $this->brokenInstall(
            self::preloadIni(),
            ['JUSTCLICK_LIB' => realpath(Sandbox::lib()), 'JUSTCLICK_HEADER' => $header],
            $header
        );
        self::assertSame('JustClick\\LibraryException', $doc['class']);
        self::assertStringContainsString("justclick_php.h not found at $header (JUSTCLICK_HEADER)", $doc['message']);
        self::assertStringContainsString('restart PHP-FPM', $doc['message']);
    }

    public function testStaleFfiPreloadHeader(): void
    {
        // ffi.preload (the root-master route) with a header left over from another version.
        $header = $this->pool->dir . '/justclick_php.h';
        $text = preg_replace('/JC_HEADER_VERSION = \d+/', 'JC_HEADER_VERSION = 9008007', Library::headerText(Sandbox::lib()));
        file_put_contents($header, $text);
        chmod($header, 0644);
        $doc = $this->brokenInstall(self::preloadIni() + ['ffi.preload' => $header], [], 'written for 9.8.7');
        self::assertSame('JustClick\\LibraryException', $doc['class']);
        self::assertStringContainsString('written for 9.8.7', $doc['message']);
        self::assertStringContainsString('ffi-header.php', $doc['message']);
    }

    public function testNoPreloadAtAll(): void
    {
        $ini = self::preloadIni();
        unset($ini['opcache.preload']);
        self::assertNull($this->pool->start($ini));
        $doc = json_decode($this->pool->request(__DIR__ . '/fpm/first-use.php'), true);
        self::assertIsArray($doc, $this->pool->logs());
        self::assertSame('JustClick\\LibraryException', $doc['class'] ?? null, $this->pool->logs());
        self::assertSame('php', $doc['auto']);
        self::assertStringContainsString('Set opcache.preload=' . dirname(__DIR__) . '/preload.php', $doc['message']);
        self::assertStringContainsString('or ffi.enable=1', $doc['message']);
    }
}
