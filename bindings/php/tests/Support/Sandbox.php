<?php

declare(strict_types=1);

namespace JustClick\Tests\Support;

use RuntimeException;

/**
 * A justclick-sandbox process for the tests: either the one run-tests.sh
 * started (JUSTCLICK_TEST_BASE_URL), or one started here with proc_open and
 * --exit-on-stdin-eof, so it stops when this PHP process ends or calls
 * stop(). Also talks to its admin endpoints.
 *
 * Faults: fault() (POST /__sandbox/fault) on a sandbox of the test's own,
 * or start(['--fault', MODE, ...]).
 */
final class Sandbox
{
    public const LOGIN = 'demo';

    private static ?Sandbox $main = null;

    /** @var resource|null */
    private $process;

    /** @var resource|null */
    private $stdin;

    private function __construct(
        public readonly string $baseUrl,
        public readonly string $secret,
        public readonly ?string $caFile,
        $process = null,
        $stdin = null
    ) {
        $this->process = $process;
        $this->stdin = $stdin;
    }

    /** The shared plain-HTTP sandbox of this run. */
    public static function main(): self
    {
        if (self::$main === null) {
            $url = getenv('JUSTCLICK_TEST_BASE_URL');
            $secret = getenv('JUSTCLICK_TEST_SECRET');
            self::$main = is_string($url) && $url !== '' && is_string($secret) && $secret !== ''
                ? new self($url, $secret, null)
                : self::start();
        }
        return self::$main;
    }

    /** The sandbox binary (run-tests.sh sets JUSTCLICK_SANDBOX_BIN; default target/release/justclick-sandbox). */
    public static function binary(): string
    {
        $bin = getenv('JUSTCLICK_SANDBOX_BIN') ?: dirname(__DIR__, 4) . '/target/release/justclick-sandbox';
        if (!is_file($bin)) {
            throw new RuntimeException("$bin not found: run `cargo build --release` (make test-php does)");
        }
        return $bin;
    }

    /**
     * The library under test (run-tests.sh sets JUSTCLICK_LIB: the release
     * archive's under `make test`; default the release build).
     */
    public static function lib(): string
    {
        $lib = getenv('JUSTCLICK_LIB') ?: dirname(__DIR__, 4) . '/target/release/libjustclick.so';
        if (!is_file($lib)) {
            throw new RuntimeException("$lib not found: run `cargo build --release`");
        }
        return $lib;
    }

    /**
     * The test build with the jc_test_panic hook (run-tests.sh sets
     * JUSTCLICK_HOOKS_LIB), which the shipped library under test lacks.
     */
    public static function hooksLib(): string
    {
        $lib = getenv('JUSTCLICK_HOOKS_LIB') ?: dirname(__DIR__, 4) . '/target/release/hooks/libjustclick.so';
        if (!is_file($lib)) {
            throw new RuntimeException("$lib not found: run `tests/hooks-lib.sh release` (make test-build does)");
        }
        return $lib;
    }

    /**
     * Starts a new sandbox with extra command-line arguments (e.g. --tls).
     *
     * @param list<string> $args
     */
    public static function start(array $args = [], ?string $caOut = null): self
    {
        $secret = 'php-test-' . bin2hex(random_bytes(8));
        $cmd = array_merge(
            [self::binary(), '--port', '0', '--login', self::LOGIN, '--exit-on-stdin-eof'],
            $args,
            $caOut !== null ? ['--ca-out', $caOut] : []
        );
        $env = getenv();
        $env['JUSTCLICK_SANDBOX_SECRET'] = $secret;
        $proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes, null, $env);
        if (!is_resource($proc)) {
            throw new RuntimeException('cannot start ' . $cmd[0]);
        }
        $url = null;
        $ca = null;
        $deadline = microtime(true) + 20;
        while (microtime(true) < $deadline && ($url === null || (in_array('--tls', $args, true) && $ca === null))) {
            $r = [$pipes[1]];
            $w = $e = null;
            if (stream_select($r, $w, $e, 1) !== 1) {
                continue;
            }
            $line = fgets($pipes[1]);
            if ($line === false) {
                break;
            }
            if (preg_match('/^listening on (\S+)/', $line, $m)) {
                $url = $m[1];
            } elseif (preg_match('/^ca_file (.+)$/', rtrim($line), $m)) {
                $ca = $m[1];
            }
        }
        if ($url === null) {
            proc_terminate($proc);
            throw new RuntimeException('the sandbox did not start: ' . implode(' ', $cmd));
        }
        fclose($pipes[1]);
        return new self($url, $secret, $ca, $proc, $pipes[0]);
    }

    /** Stops a sandbox started by start() (closes its stdin and waits). */
    public function stop(): void
    {
        if ($this->stdin !== null) {
            fclose($this->stdin);
            $this->stdin = null;
        }
        if ($this->process !== null) {
            proc_close($this->process);
            $this->process = null;
        }
    }

    public function __destruct()
    {
        $this->stop();
    }

    /**
     * Options for a JustClick\Client against this sandbox.
     *
     * @param array<string, mixed> $extra
     *
     * @return array<string, mixed>
     */
    public function options(array $extra = []): array
    {
        $engine = self::engine() === 'php' ? ['engine' => 'php'] : ['lib' => self::lib()];
        return $extra + $engine + ['base_url' => $this->baseUrl];
    }

    /**
     * The engine this run of the suite tests: `ffi` (default) or `php`
     * (JUSTCLICK_TEST_ENGINE, set by run-tests.sh for its second run).
     */
    public static function engine(): string
    {
        $engine = getenv('JUSTCLICK_TEST_ENGINE') ?: 'ffi';
        if ($engine !== 'ffi' && $engine !== 'php') {
            throw new RuntimeException("JUSTCLICK_TEST_ENGINE must be ffi or php, not $engine");
        }
        return $engine;
    }

    /**
     * Sets the fault for the following API requests (POST /__sandbox/fault).
     *
     * @param array<string, string> $extra e.g. ['stall_ms' => '3000', 'rate' => '0.5']
     */
    public function fault(string $mode, array $extra = []): void
    {
        $answer = json_decode(
            $this->admin('POST', '/__sandbox/fault', $extra + ['mode' => $mode, 'rate' => '1', 'delay_ms' => '0']),
            true,
            8,
            JSON_THROW_ON_ERROR
        );
        if (($answer['mode'] ?? null) !== $mode) {
            throw new RuntimeException("the sandbox did not switch to fault $mode");
        }
    }

    /**
     * Changes run-time settings (POST /__sandbox/settings), e.g.
     * ['unknown_login' => '1'].
     *
     * @param array<string, string> $form
     */
    public function settings(array $form): void
    {
        $this->admin('POST', '/__sandbox/settings', $form);
    }

    /** Restores the seed data and zeroes the counters. */
    public function reset(): void
    {
        $this->admin('POST', '/__sandbox/reset');
    }

    /** @return array<string, mixed> the counters, with last_body */
    public function stats(): array
    {
        return json_decode($this->admin('GET', '/__sandbox/stats'), true, 64, JSON_THROW_ON_ERROR);
    }

    /** @param array<string, string> $form */
    private function admin(string $method, string $path, array $form = []): string
    {
        if (!str_starts_with($this->baseUrl, 'http://')) {
            throw new RuntimeException('admin calls are only implemented for plain-HTTP sandboxes');
        }
        $ctx = stream_context_create(['http' => [
            'method' => $method,
            'header' => "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n",
            'content' => http_build_query($form),
            'timeout' => 10,
            'ignore_errors' => true,
        ]]);
        $body = @file_get_contents($this->baseUrl . $path, false, $ctx);
        $status = isset($http_response_header[0]) ? $http_response_header[0] : '';
        if ($body === false || !str_contains($status, ' 200 ')) {
            throw new RuntimeException("sandbox admin $method $path failed: $status " . ($body ?: ''));
        }
        return $body;
    }
}
