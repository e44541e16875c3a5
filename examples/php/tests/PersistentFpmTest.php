<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Library;
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
 */
final class PersistentFpmTest extends TestCase
{
    private const REQUESTS = 50;

    private const WORKERS = 2;

    private string $dir;

    private Sandbox $tls;

    /** @var resource|null */
    private $fpm = null;

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/justclick-pfpm-' . bin2hex(random_bytes(4));
        mkdir($this->dir, 0755);
        chmod($this->dir, 0755);
        $this->tls = Sandbox::start(['--tls'], $this->dir . '/ca.pem');
        chmod($this->dir . '/ca.pem', 0644);
    }

    protected function tearDown(): void
    {
        $this->stopFpm();
        $this->tls->stop();
        foreach (glob($this->dir . '/*') ?: [] as $f) {
            @unlink($f);
        }
        @rmdir($this->dir);
    }

    public function testFfiEnableWithCdefInEveryRequest(): void
    {
        $this->startFpm(['ffi.enable' => '1', 'opcache.enable' => '0']);
        $this->assertAtMostOneConnectionPerWorker(Sandbox::lib(), 'FFI::cdef(');
    }

    public function testFfiPreloadAsDocumented(): void
    {
        $header = $this->dir . '/justclick_php.h';
        file_put_contents($header, Library::headerText(Sandbox::lib()));
        chmod($header, 0644);
        $ini = [
            'ffi.enable' => 'preload',
            'ffi.preload' => $header,
            'opcache.enable' => '1',
            'opcache.enable_cli' => '0',
            'opcache.preload' => dirname(__DIR__) . '/preload.php',
        ];
        if (self::isRoot()) {
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
            self::assertArrayNotHasKey('error', $doc, ($doc['error'] ?? '') . "\n" . $this->logs());
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

    private static function isRoot(): bool
    {
        return function_exists('posix_geteuid') ? posix_geteuid() === 0 : trim((string) shell_exec('id -u')) === '0';
    }

    private static function tool(string $env, string $package): string
    {
        $path = getenv($env);
        if (!is_string($path) || $path === '' || !is_executable($path)) {
            self::fail("$env is not set to an executable: run examples/php/run-tests.sh (needs the Debian package $package)");
        }
        return $path;
    }

    /** @param array<string, string> $ini -d settings */
    private function startFpm(array $ini): void
    {
        $sock = $this->dir . '/fpm.sock';
        $workers = self::WORKERS;
        file_put_contents($this->dir . '/fpm.conf', <<<CONF
            [global]
            error_log = {$this->dir}/fpm.log
            pid = {$this->dir}/fpm.pid
            daemonize = no

            [www]
            listen = $sock
            listen.mode = 0666
            pm = static
            pm.max_children = $workers
            clear_env = yes
            catch_workers_output = yes
            decorate_workers_output = no
            php_admin_value[error_log] = {$this->dir}/php.log
            php_admin_flag[log_errors] = on
            CONF);
        $cmd = [self::tool('JUSTCLICK_PHP_FPM', 'php-fpm'), '--nodaemonize', '--fpm-config', $this->dir . '/fpm.conf'];
        if (self::isRoot()) {
            $cmd[] = '--allow-to-run-as-root';
        }
        foreach ($ini as $k => $v) {
            array_push($cmd, '-d', "$k=$v");
        }
        $env = ['PATH' => (string) getenv('PATH'), 'JUSTCLICK_LIB' => Sandbox::lib()];
        $out = ['file', $this->dir . '/fpm.out', 'a'];
        $this->fpm = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => $out, 2 => $out], $pipes, $this->dir, $env);
        self::assertIsResource($this->fpm, 'cannot start php-fpm');
        $deadline = microtime(true) + 20;
        while (microtime(true) < $deadline) {
            clearstatcache();
            if (file_exists($sock) && str_contains((string) @file_get_contents($this->dir . '/fpm.log'), 'ready to handle connections')) {
                return;
            }
            self::assertTrue(proc_get_status($this->fpm)['running'], "php-fpm exited:\n" . $this->logs());
            usleep(20000);
        }
        self::fail("php-fpm did not start within 20 s:\n" . $this->logs());
    }

    private function stopFpm(): void
    {
        if ($this->fpm !== null) {
            if (proc_get_status($this->fpm)['running']) {
                proc_terminate($this->fpm, 15); // our own master; it stops its workers
            }
            proc_close($this->fpm);
            $this->fpm = null;
        }
    }

    private function logs(): string
    {
        $text = '';
        foreach (['fpm.out', 'fpm.log', 'php.log'] as $f) {
            $text .= "--- $f\n" . @file_get_contents($this->dir . '/' . $f);
        }
        return $text;
    }

    /** @return array<string, mixed> the JSON printed by tests/fpm/persistent.php */
    private function request(string $lib, int $n): array
    {
        $env = [
            'SCRIPT_FILENAME' => __DIR__ . '/fpm/persistent.php',
            'SCRIPT_NAME' => '/persistent.php',
            'REQUEST_METHOD' => 'GET',
            'QUERY_STRING' => '',
            'SERVER_PROTOCOL' => 'HTTP/1.1',
            'GATEWAY_INTERFACE' => 'CGI/1.1',
            'JUSTCLICK_TEST_BASE_URL' => $this->tls->baseUrl,
            'JUSTCLICK_TEST_CA_FILE' => (string) $this->tls->caFile,
            'JUSTCLICK_TEST_SECRET' => $this->tls->secret,
            'JUSTCLICK_TEST_LIB' => $lib,
            'JUSTCLICK_TEST_N' => (string) $n,
        ];
        $cmd = [self::tool('JUSTCLICK_CGI_FCGI', 'libfcgi-bin'), '-bind', '-connect', $this->dir . '/fpm.sock'];
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', $this->dir . '/cgi.err', 'w']], $pipes, null, $env);
        self::assertIsResource($proc);
        $out = (string) stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        $rc = proc_close($proc);
        self::assertSame(0, $rc, "cgi-fcgi failed ($rc): $out\n" . @file_get_contents($this->dir . '/cgi.err') . $this->logs());
        $parts = explode("\r\n\r\n", $out, 2);
        self::assertCount(2, $parts, "no FastCGI headers in: $out\n" . $this->logs());
        $doc = json_decode($parts[1], true);
        self::assertIsArray($doc, "not JSON: {$parts[1]}\n" . $this->logs());
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
