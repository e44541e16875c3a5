<?php

declare(strict_types=1);

namespace JustClick\Tests\Fpm;

use PHPUnit\Framework\Assert;

/**
 * A private php-fpm master (a static pool, one worker unless asked for
 * more) in a temporary directory, driven with cgi-fcgi, for tests that need
 * real PHP-FPM start-up and request behaviour. When the tests run as root,
 * the master starts as nobody (setpriv), as a service that does not start
 * as root would be, or as root (Debian's service) when asked to.
 */
final class Pool
{
    public const NOBODY = 65534;

    public readonly string $dir;

    /** @var resource|null */
    private $proc = null;

    public function __construct(private readonly int $workers = 1)
    {
        $this->dir = sys_get_temp_dir() . '/justclick-fpm-' . bin2hex(random_bytes(4));
        mkdir($this->dir, 0777);
        chmod($this->dir, 0777); // writable by nobody too
    }

    public static function isRoot(): bool
    {
        return function_exists('posix_geteuid') ? posix_geteuid() === 0 : trim((string) shell_exec('id -u')) === '0';
    }

    public static function tool(string $env, string $package): string
    {
        $path = getenv($env);
        if (!is_string($path) || $path === '' || !is_executable($path)) {
            Assert::fail("$env is not set to an executable: run bindings/php/run-tests.sh (needs the Debian package $package)");
        }
        return $path;
    }

    /**
     * Starts php-fpm in the foreground, as nobody when run as root (or as
     * root with $asRoot); returns null once it listens, or its logs if it
     * exits first.
     *
     * @param array<string, string> $ini        -d settings
     * @param array<string, string> $env        the master's environment (and the workers', through env[])
     * @param array<string, string> $masterOnly more of the master's environment, kept from the workers
     */
    public function start(array $ini, array $env = [], bool $asRoot = false, array $masterOnly = []): ?string
    {
        $sock = $this->dir . '/fpm.sock';
        $workerEnv = '';
        foreach ($env as $k => $v) {
            $workerEnv .= "env[$k] = \"$v\"\n";
        }
        $conf = <<<CONF
            [global]
            error_log = {$this->dir}/fpm.log
            pid = {$this->dir}/fpm.pid
            daemonize = no

            [www]
            listen = $sock
            listen.mode = 0666
            pm = static
            pm.max_children = {$this->workers}
            clear_env = yes
            catch_workers_output = yes
            decorate_workers_output = no
            php_admin_value[error_log] = {$this->dir}/php.log
            php_admin_flag[log_errors] = on
            $workerEnv
            CONF;
        file_put_contents($this->dir . '/fpm.conf', $conf);
        $cmd = [self::tool('JUSTCLICK_PHP_FPM', 'php-fpm'), '--nodaemonize', '--fpm-config', $this->dir . '/fpm.conf'];
        if (self::isRoot() && $asRoot) {
            $cmd[] = '--allow-to-run-as-root';
        } elseif (self::isRoot()) {
            $cmd = array_merge(['setpriv', '--reuid=' . self::NOBODY, '--regid=' . self::NOBODY, '--clear-groups'], $cmd);
        }
        foreach ($ini as $k => $v) {
            $cmd[] = '-d';
            $cmd[] = "$k=$v";
        }
        $env += $masterOnly + ['PATH' => (string) getenv('PATH')];
        $out = $this->dir . '/fpm.out';
        $this->proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $out, 'w'], 2 => ['file', $out, 'a']], $pipes, $this->dir, $env);
        Assert::assertIsResource($this->proc, 'cannot start php-fpm');
        $deadline = microtime(true) + 20;
        while (microtime(true) < $deadline) {
            clearstatcache();
            if (file_exists($sock) && str_contains((string) @file_get_contents($this->dir . '/fpm.log'), 'ready to handle connections')) {
                return null;
            }
            if (!proc_get_status($this->proc)['running']) {
                $log = $this->logs();
                $this->stop();
                return $log;
            }
            usleep(20000);
        }
        $log = $this->logs();
        $this->stop();
        Assert::fail("php-fpm did not start within 20 s:\n$log");
    }

    public function stop(): void
    {
        if ($this->proc !== null) {
            if (proc_get_status($this->proc)['running']) {
                proc_terminate($this->proc, 15); // SIGTERM to our own master; it stops its workers
            }
            proc_close($this->proc);
            $this->proc = null;
        }
    }

    /** Stops the master and deletes its configuration and logs, for a fresh start. */
    public function clear(): void
    {
        $this->stop();
        foreach (glob($this->dir . '/*') ?: [] as $f) {
            @unlink($f);
        }
    }

    /** Stops the master and removes the directory. */
    public function remove(): void
    {
        $this->clear();
        @rmdir($this->dir);
    }

    /** Everything the master, the workers and PHP logged so far. */
    public function logs(): string
    {
        $text = '';
        foreach (['fpm.out', 'fpm.log', 'php.log'] as $f) {
            $text .= "--- $f\n" . @file_get_contents($this->dir . '/' . $f);
        }
        return $text;
    }

    /**
     * Runs $script through the pool (GET); returns the response body.
     *
     * @param array<string, string> $params extra FastCGI parameters
     */
    public function request(string $script, array $params = []): string
    {
        return $this->exchange($script, $params)[1];
    }

    /**
     * Runs $script through the pool (GET); returns the response's FastCGI
     * headers and body.
     *
     * @param array<string, string> $params extra FastCGI parameters
     *
     * @return array{0: string, 1: string}
     */
    public function exchange(string $script, array $params = []): array
    {
        $env = $params + [
            'SCRIPT_FILENAME' => $script,
            'SCRIPT_NAME' => '/' . basename($script),
            'REQUEST_METHOD' => 'GET',
            'QUERY_STRING' => '',
            'SERVER_PROTOCOL' => 'HTTP/1.1',
            'GATEWAY_INTERFACE' => 'CGI/1.1',
        ];
        $cmd = [self::tool('JUSTCLICK_CGI_FCGI', 'libfcgi-bin'), '-bind', '-connect', $this->dir . '/fpm.sock'];
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        Assert::assertIsResource($proc);
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
        Assert::assertSame(0, $rc, "cgi-fcgi failed ($rc): $err\n$out\n" . $this->logs());
        $parts = explode("\r\n\r\n", $out, 2);
        Assert::assertCount(2, $parts, "no FastCGI headers in: $out\n" . $this->logs());
        return [$parts[0], $parts[1]];
    }
}
