<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Tests\Support\Sandbox;

/**
 * Where the library is found with neither the `lib` option nor
 * JUSTCLICK_LIB: the system library libjustclick.so.0 through the dynamic
 * loader (here LD_LIBRARY_PATH, as ld.so.cache is for the Debian package),
 * before the repository's build. Runs in a child `php`, as the loader reads
 * LD_LIBRARY_PATH only when a process starts.
 *
 * About the FFI engine, or drives both engines itself: run once.
 *
 * @group once
 */
final class LibraryDiscoveryTest extends TestCase
{
    /** @param array<string, string> $env */
    private static function childPhp(array $env, string $code): string
    {
        $cmd = [PHP_BINARY, '-r', 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';' . $code];
        $base = getenv();
        unset($base['JUSTCLICK_LIB'], $base['JUSTCLICK_HEADER']);
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env + $base);
        self::assertIsResource($proc);
        $out = (string) stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        proc_close($proc);
        return $out;
    }

    public function testSystemLibraryThroughTheLoaderComesBeforeTheRepositoryBuild(): void
    {
        $dir = sys_get_temp_dir() . '/justclick-sys-' . bin2hex(random_bytes(6));
        mkdir($dir);
        $lib = $dir . '/libjustclick.so.0';
        try {
            self::assertTrue(copy(Sandbox::lib(), $lib));
            $out = self::childPhp(
                ['LD_LIBRARY_PATH' => $dir],
                'echo JustClick\Library::defaultPath(), "\n", JustClick\Library::fromPath()->jc_version(), "\n";'
            );
            $lines = explode("\n", $out);
            self::assertSame($lib, $lines[0], $out);
            self::assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', $lines[1] ?? '', $out);
        } finally {
            @unlink($lib);
            @rmdir($dir);
        }
    }

    public function testWithoutASystemLibraryTheRepositoryBuildIsTheDefault(): void
    {
        $out = self::childPhp(['LD_LIBRARY_PATH' => '/nonexistent'], 'echo JustClick\Library::defaultPath();');
        self::assertSame(dirname(__DIR__, 3) . '/target/release/libjustclick.so', $out);
    }
}
