<?php

declare(strict_types=1);

namespace JustClick\Tests;

use FFI;
use JustClick\Client;
use JustClick\Library;
use JustClick\LibraryException;
use JustClick\Tests\Support\Sandbox;

/**
 * How the binding copes with real installations: library paths with spaces
 * and Cyrillic letters, ffi.enable=0, open_basedir. Settings that only
 * php.ini can change run in a child `php` process.
 *
 * About the FFI engine, or drives both engines itself: run once.
 *
 * @group once
 */
final class InstallTest extends TestCase
{
    /** @var list<string> files and directories to remove, deepest first */
    private array $cleanup = [];

    protected function tearDown(): void
    {
        foreach ($this->cleanup as $path) {
            is_dir($path) ? @rmdir($path) : @unlink($path);
        }
    }

    /** A hard link to the test library at $dir/libjustclick.so (realpath keeps the name). */
    private function libAt(string $dir): string
    {
        mkdir($dir, 0755, true);
        $lib = $dir . '/libjustclick.so';
        if (!@link(realpath(Sandbox::lib()), $lib)) {
            copy(Sandbox::lib(), $lib);
        }
        array_unshift($this->cleanup, $dir);
        array_unshift($this->cleanup, $lib);
        return $lib;
    }

    /**
     * Runs PHP code in a child `php` with the given -d settings; returns its
     * output (stdout and stderr).
     *
     * @param array<string, string> $ini
     */
    private static function php(array $ini, string $code): string
    {
        $cmd = [PHP_BINARY];
        foreach ($ini as $k => $v) {
            $cmd[] = '-d';
            $cmd[] = "$k=$v";
        }
        $cmd[] = '-r';
        $cmd[] = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';' . $code;
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
        self::assertIsResource($proc);
        $out = (string) stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        proc_close($proc);
        return $out;
    }

    /** PHP code that creates a client with $options and prints what it threw. */
    private static function newClientCode(string $options): string
    {
        return 'try { new JustClick\\Client("demo", "s", ' . $options . '); echo "created"; }'
            . ' catch (Throwable $e) { echo get_class($e), ": ", $e->getMessage(); }';
    }

    public function testLibraryPathWithSpacesAndCyrillic(): void
    {
        $lib = $this->libAt(sys_get_temp_dir() . '/путь с пробелом ' . bin2hex(random_bytes(3)));
        // PHP's FFI_LIB parser stops at spaces and non-ASCII bytes, and reads
        // no escapes: such a header cannot be written, so say so and how.
        $e = self::thrown(LibraryException::class, fn () => Library::headerText($lib));
        self::assertStringContainsString('"' . $lib . '"', $e->getMessage(), 'the path, unescaped');
        self::assertStringContainsString('#define FFI_LIB', $e->getMessage());
        self::assertStringContainsString('ln -s', $e->getMessage());
        exec(escapeshellarg(PHP_BINARY) . ' ' . escapeshellarg(dirname(__DIR__) . '/ffi-header.php')
            . ' ' . escapeshellarg($lib) . ' 2>&1', $lines, $rc);
        self::assertSame(1, $rc);
        self::assertStringContainsString('ln -s', implode("\n", $lines));

        // The way out it names: a link from a plain path.
        $link = sys_get_temp_dir() . '/jc-plain-' . bin2hex(random_bytes(3)) . '.so';
        symlink($lib, $link);
        array_unshift($this->cleanup, $link);
        self::assertStringContainsString("\n#define FFI_LIB \"$link\"\n", Library::headerText($link));

        // FFI::load (what preload.php does) goes through a temporary link by itself.
        $ffi = Library::loadHeaderFile($lib);
        self::assertSame('ok', $ffi->jc_status_name(0));
        $sb = self::sandbox();
        $jc = new Client('demo', $sb->secret, ['ffi' => $ffi, 'base_url' => $sb->baseUrl]);
        self::assertSame(['путь' => 'с пробелом'], $jc->call('SandboxEcho', ['путь' => 'с пробелом']));
        // FFI::cdef takes the path as an argument: no problem there.
        $jc = new Client('demo', $sb->secret, ['lib' => $lib, 'base_url' => $sb->baseUrl]);
        self::assertSame("FFI::cdef($lib)", $jc->library());
        self::assertSame(['k' => 'v'], $jc->call('SandboxEcho', ['k' => 'v']));
    }

    public function testAPlainPathIsWrittenAsIs(): void
    {
        $lib = $this->libAt(sys_get_temp_dir() . '/jc-plain-dir-' . bin2hex(random_bytes(3)) . '/a\\b');
        self::assertStringContainsString("\n#define FFI_LIB \"$lib\"\n", Library::headerText($lib), 'no JSON escapes');
        self::assertSame('ok', Library::loadHeaderFile($lib)->jc_status_name(0));
        $quoted = $this->libAt(sys_get_temp_dir() . '/jc-"quoted"-' . bin2hex(random_bytes(3)));
        $e = self::thrown(LibraryException::class, fn () => Library::headerText($quoted));
        self::assertStringContainsString('double quotes', $e->getMessage());
    }

    public function testFfiDisabledSaysHowToEnableIt(): void
    {
        $out = self::php(['ffi.enable' => '0'], self::newClientCode(var_export(['lib' => Sandbox::lib()], true)));
        self::assertStringStartsWith('JustClick\\LibraryException: ', $out);
        self::assertStringContainsString(
            'FFI is disabled (ffi.enable=0): set ffi.enable=preload and preload, or ffi.enable=1',
            $out
        );
        // The default lookup (scope first) says the same when FFI is asked for;
        // the default engine serves with pure PHP instead.
        $out = self::php(['ffi.enable' => '0'], self::newClientCode("['engine' => 'ffi']"));
        self::assertStringContainsString('FFI is disabled (ffi.enable=0)', $out);
        $out = self::php(['ffi.enable' => '0'], 'echo (new JustClick\\Client("demo", "s"))->engine();');
        self::assertSame('php', $out, 'no warning, no error');
    }

    public function testOpenBasedirIsNamedNotNotFound(): void
    {
        // A temporary directory of its own (also PHP's sys_temp_dir there):
        // with the whole of /tmp allowed, a checkout under /tmp would have
        // its library inside open_basedir.
        $tmp = sys_get_temp_dir() . '/jc-basedir-' . bin2hex(random_bytes(3));
        mkdir($tmp, 0755);
        array_unshift($this->cleanup, $tmp);
        $ini = ['open_basedir' => dirname(__DIR__) . PATH_SEPARATOR . $tmp, 'sys_temp_dir' => $tmp];
        self::assertStringStartsNotWith($tmp, (string) realpath(Sandbox::lib()));
        $out = self::php($ini, self::newClientCode(var_export(['lib' => realpath(Sandbox::lib())], true)));
        self::assertStringStartsWith('JustClick\\LibraryException: ', $out);
        self::assertStringContainsString('open_basedir', $out);
        self::assertStringContainsString('forbids the library ' . realpath(Sandbox::lib()), $out);
        self::assertStringNotContainsString('not found', $out);

        // The library inside open_basedir, its header outside it.
        $lib = $this->libAt($tmp . '/lib');
        $out = self::php($ini, self::newClientCode(var_export(['lib' => $lib], true)));
        self::assertStringContainsString('open_basedir', $out);
        self::assertStringContainsString('forbids the header', $out);
        self::assertStringContainsString('justclick_php.h', $out);
        // A file that is really missing is still "not found".
        $out = self::php($ini, self::newClientCode(var_export(['lib' => $tmp . '/no-such-dir/libjustclick.so'], true)));
        self::assertStringContainsString('not found', $out);
        self::assertStringNotContainsString('open_basedir', $out);
    }
}
