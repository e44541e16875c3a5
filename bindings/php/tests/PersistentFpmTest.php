<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Library;
use JustClick\Tests\Fpm\Pool;
use JustClick\Tests\Support\Sandbox;

/**
 * Persistent pools under real PHP-FPM (Debian's php-fpm, a static pool of 2
 * workers): 50 web requests through cgi-fcgi, each building a new
 * JustClick\Client with `persistent => true` and making one HTTPS call,
 * open at most 2 TLS connections (one per worker), counted by the sandbox.
 *
 * Both FFI setups: `ffi.enable=1` with FFI::cdef in every request (PHP then
 * frees its FFI instance, and may dlclose the library, at the end of each
 * request: the library must stay loaded with its pools), and the documented
 * `ffi.preload` + `opcache.preload` route of a root FPM master.
 *
 * About the FFI engine, or drives both engines itself: run once.
 *
 * @group once
 */
final class PersistentFpmTest extends TestCase
{
    private const REQUESTS = 50;

    private const WORKERS = 2;

    private Pool $pool;

    private Sandbox $tls;

    protected function setUp(): void
    {
        $this->pool = new Pool(self::WORKERS);
        $this->tls = Sandbox::start(['--tls'], $this->pool->dir . '/ca.pem');
        chmod($this->pool->dir . '/ca.pem', 0644);
    }

    protected function tearDown(): void
    {
        $this->pool->remove();
        $this->tls->stop();
    }

    public function testFfiEnableWithCdefInEveryRequest(): void
    {
        $this->startFpm(['ffi.enable' => '1', 'opcache.enable' => '0']);
        $this->assertAtMostOneConnectionPerWorker(Sandbox::lib(), 'FFI::cdef(');
    }

    public function testFfiPreloadAsDocumented(): void
    {
        $header = $this->pool->dir . '/justclick_php.h';
        file_put_contents($header, Library::headerText(Sandbox::lib()));
        chmod($header, 0644);
        $ini = [
            'ffi.enable' => 'preload',
            'ffi.preload' => $header,
            'opcache.enable' => '1',
            'opcache.enable_cli' => '0',
            'opcache.preload' => dirname(__DIR__) . '/preload.php',
        ];
        if (Pool::isRoot()) {
            $ini['opcache.preload_user'] = 'nobody';
        }
        $this->startFpm($ini);
        $this->assertAtMostOneConnectionPerWorker('', 'FFI::scope(JUSTCLICK)');
    }

    private function assertAtMostOneConnectionPerWorker(string $lib, string $library): void
    {
        $pids = [];
        for ($i = 0; $i < self::REQUESTS; $i++) {
            $doc = $this->request($lib, $i);
            self::assertArrayNotHasKey('error', $doc, ($doc['error'] ?? '') . "\n" . $this->pool->logs());
            self::assertStringStartsWith($library, $doc['library']);
            self::assertSame(['n' => (string) $i], $doc['echo']);
            $pids[$doc['pid']] = true;
        }
        self::assertLessThanOrEqual(self::WORKERS, count($pids));
        $stats = $this->tlsStats();
        self::assertSame(self::REQUESTS, $stats['requests']);
        self::assertGreaterThanOrEqual(1, $stats['api_connections']);
        self::assertLessThanOrEqual(
            self::WORKERS,
            $stats['api_connections'],
            'each FPM worker must reuse its TLS connection across requests'
        );
        // The stats request itself is the only other connection.
        self::assertLessThanOrEqual(self::WORKERS + 1, $stats['connections']);
    }

    /**
     * The master as root, as Debian's service starts it (the documented
     * ffi.preload route needs that).
     *
     * @param array<string, string> $ini -d settings
     */
    private function startFpm(array $ini): void
    {
        $failure = $this->pool->start($ini, ['JUSTCLICK_LIB' => Sandbox::lib()], true);
        self::assertNull($failure, "php-fpm exited:\n" . $failure);
    }

    /** @return array<string, mixed> the JSON printed by tests/fpm/persistent.php */
    private function request(string $lib, int $n): array
    {
        $body = $this->pool->request(__DIR__ . '/fpm/persistent.php', [
            'JUSTCLICK_TEST_BASE_URL' => $this->tls->baseUrl,
            'JUSTCLICK_TEST_CA_FILE' => (string) $this->tls->caFile,
            'JUSTCLICK_TEST_SECRET' => $this->tls->secret,
            'JUSTCLICK_TEST_LIB' => $lib,
            'JUSTCLICK_TEST_N' => (string) $n,
        ]);
        $doc = json_decode($body, true);
        self::assertIsArray($doc, "not JSON: $body\n" . $this->pool->logs());
        return $doc;
    }

    /** @return array<string, mixed> the HTTPS sandbox's counters */
    private function tlsStats(): array
    {
        $ctx = stream_context_create([
            'http' => ['timeout' => 10, 'header' => "Connection: close\r\n"],
            'ssl' => ['cafile' => (string) $this->tls->caFile, 'verify_peer' => true],
        ]);
        $body = file_get_contents($this->tls->baseUrl . '/__sandbox/stats', false, $ctx);
        self::assertIsString($body, 'cannot read the sandbox stats');
        return json_decode($body, true, 64, JSON_THROW_ON_ERROR);
    }
}
