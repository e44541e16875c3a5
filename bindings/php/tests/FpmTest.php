<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Library;
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
 */
final class FpmTest extends TestCase
{
    private const NOBODY = 65534;

    private string $dir;

    /** @var resource|null */
    private $fpm = null;

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/justclick-fpm-' . bin2hex(random_bytes(4));
        mkdir($this->dir, 0755);
        chmod($this->dir, 0755);
        self::sandbox()->reset();
    }

    protected function tearDown(): void
    {
        $this->stopFpm();
        foreach (glob($this->dir . '/*') ?: [] as $f) {
            @unlink($f);
        }
        @rmdir($this->dir);
    }

    private static function tool(string $env, string $package): string
    {
        $path = getenv($env);
        if (!is_string($path) || $path === '' || !is_executable($path)) {
            self::fail("$env is not set to an executable: run bindings/php/run-tests.sh (needs the Debian package $package)");
        }
        return $path;
    }

    private static function isRoot(): bool
    {
        return function_exists('posix_geteuid') ? posix_geteuid() === 0 : trim((string) shell_exec('id -u')) === '0';
    }

    /**
     * Starts php-fpm in the foreground; returns null once it listens, or its
     * log if it exits first.
     *
     * @param array<string, string> $ini    -d settings
     * @param list<string>          $prefix e.g. setpriv ... to change user
     */
    private function startFpm(array $ini, array $prefix = [], bool $allowRoot = false): ?string
    {
        $sock = $this->dir . '/fpm.sock';
        $conf = <<<CONF
            [global]
            error_log = {$this->dir}/fpm.log
            pid = {$this->dir}/fpm.pid
            daemonize = no

            [www]
            listen = $sock
            listen.mode = 0666
            pm = static
            pm.max_children = 1
            clear_env = yes
            catch_workers_output = yes
            decorate_workers_output = no
            php_admin_value[error_log] = {$this->dir}/php.log
            php_admin_flag[log_errors] = on
            CONF;
        file_put_contents($this->dir . '/fpm.conf', $conf);
        $cmd = array_merge($prefix, [self::tool('JUSTCLICK_PHP_FPM', 'php-fpm'), '--nodaemonize', '--fpm-config', $this->dir . '/fpm.conf']);
        if ($allowRoot) {
            $cmd[] = '--allow-to-run-as-root';
        }
        foreach ($ini as $k => $v) {
            $cmd[] = '-d';
            $cmd[] = "$k=$v";
        }
        $env = ['PATH' => (string) getenv('PATH'), 'JUSTCLICK_LIB' => Sandbox::lib()];
        $this->fpm = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->dir . '/fpm.out', 'w'], 2 => ['file', $this->dir . '/fpm.out', 'a']], $pipes, $this->dir, $env);
        self::assertIsResource($this->fpm, 'cannot start php-fpm');
        $deadline = microtime(true) + 20;
        while (microtime(true) < $deadline) {
            clearstatcache();
            if (file_exists($sock) && str_contains((string) @file_get_contents($this->dir . '/fpm.log'), 'ready to handle connections')) {
                return null;
            }
            if (!proc_get_status($this->fpm)['running']) {
                $log = $this->logs();
                $this->stopFpm();
                return $log;
            }
            usleep(20000);
        }
        $log = $this->logs();
        $this->stopFpm();
        self::fail("php-fpm did not start within 20 s:\n$log");
    }

    private function stopFpm(): void
    {
        if ($this->fpm !== null) {
            if (proc_get_status($this->fpm)['running']) {
                proc_terminate($this->fpm, 15); // SIGTERM to our own master; it stops its workers
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

    /** @return array<string, mixed> the JSON printed by tests/fpm/request.php */
    private function request(): array
    {
        $sb = self::sandbox();
        $env = [
            'SCRIPT_FILENAME' => __DIR__ . '/fpm/request.php',
            'SCRIPT_NAME' => '/request.php',
            'REQUEST_METHOD' => 'GET',
            'QUERY_STRING' => '',
            'SERVER_PROTOCOL' => 'HTTP/1.1',
            'GATEWAY_INTERFACE' => 'CGI/1.1',
            'JUSTCLICK_TEST_BASE_URL' => $sb->baseUrl,
            'JUSTCLICK_TEST_SECRET' => $sb->secret,
        ];
        $cmd = [self::tool('JUSTCLICK_CGI_FCGI', 'libfcgi-bin'), '-bind', '-connect', $this->dir . '/fpm.sock'];
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        self::assertIsResource($proc);
        stream_set_blocking($pipes[1], false);
        stream_set_blocking($pipes[2], false);
        $out = $err = '';
        $deadline = microtime(true) + 30;
        while (microtime(true) < $deadline && (!feof($pipes[1]) || !feof($pipes[2]))) {
            $r = [$pipes[1], $pipes[2]];
            $w = $e = null;
            if (stream_select($r, $w, $e, 1) > 0) {
                $out .= (string) stream_get_contents($pipes[1]);
                $err .= (string) stream_get_contents($pipes[2]);
            }
        }
        fclose($pipes[1]);
        fclose($pipes[2]);
        $rc = proc_close($proc);
        $parts = explode("\r\n\r\n", $out, 2);
        self::assertSame(0, $rc, "cgi-fcgi failed ($rc): $err\n$out\n" . $this->logs());
        self::assertCount(2, $parts, "no FastCGI headers in: $out\n" . $this->logs());
        self::assertStringContainsString('application/json', $parts[0]);
        $doc = json_decode($parts[1], true);
        self::assertIsArray($doc, "not JSON: {$parts[1]}\n" . $this->logs());
        return $doc;
    }

    /** What a request through the preloaded scope must show. */
    private function assertServedThroughTheScope(array $doc): void
    {
        self::assertArrayNotHasKey('error', $doc, (string) ($doc['error'] ?? '') . "\n" . $this->logs());
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
        $header = $this->dir . '/justclick_php.h';
        file_put_contents($header, Library::headerText(Sandbox::lib()));
        chmod($header, 0644);
        $ini = self::baseIni() + ['ffi.preload' => $header];
        if (self::isRoot()) {
            // Required when the master is root; the preload child runs as nobody.
            $ini['opcache.preload_user'] = 'nobody';
        }
        $failure = $this->startFpm($ini, [], self::isRoot());
        self::assertNull($failure, (string) $failure);
        $first = $this->request();
        $this->assertServedThroughTheScope($first);
        $second = $this->request();
        $this->assertServedThroughTheScope($second);
        self::assertSame($first['pid'], $second['pid'], 'the same worker served both requests');
    }

    public function testPreloadScriptLoadsTheLibraryItself(): void
    {
        $prefix = [];
        if (self::isRoot()) {
            // As root, PHP forbids FFI::load in preload.php; it must say what
            // to do, in the log, without stopping php-fpm (PreloadFailureTest).
            $failure = $this->startFpm(self::baseIni() + ['opcache.preload_user' => 'nobody'], [], true);
            self::assertNull($failure, (string) $failure);
            $log = $this->logs();
            $this->stopFpm();
            self::assertStringContainsString('JustClick preload: ', $log);
            self::assertStringContainsString('ffi.preload', $log);
            self::assertStringContainsString('ffi-header.php', $log);
            foreach (glob($this->dir . '/*') ?: [] as $f) {
                unlink($f);
            }
            // The same without root: the master as nobody (setpriv, util-linux).
            chmod($this->dir, 0777);
            $prefix = ['setpriv', '--reuid=' . self::NOBODY, '--regid=' . self::NOBODY, '--clear-groups'];
        }
        $failure = $this->startFpm(self::baseIni(), $prefix);
        self::assertNull($failure, (string) $failure);
        $this->assertServedThroughTheScope($this->request());
    }
}
