<?php

declare(strict_types=1);

namespace JustClick\Tests;

use FFI;
use JustClick\Client;
use JustClick\Engine\FfiEngine;
use JustClick\Library;
use JustClick\LibraryException;
use JustClick\Tests\Support\Sandbox;

/**
 * The PHP header loads both ways (FFI::cdef without its #define lines,
 * FFI::load of a copy with an absolute FFI_LIB), one FFI instance per
 * library, and clear errors when something is missing.
 *
 * About the FFI engine, or drives both engines itself: run once.
 *
 * @group once
 */
final class LibraryTest extends TestCase
{
    private static function header(): string
    {
        return dirname(__DIR__, 3) . '/include/justclick_php.h';
    }

    public function testHeaderStartsWithTheFfiDefines(): void
    {
        $lines = file(self::header(), FILE_IGNORE_NEW_LINES);
        self::assertSame('#define FFI_SCOPE "JUSTCLICK"', $lines[0]);
        self::assertSame('#define FFI_LIB "libjustclick.so.0"', $lines[1]);
        self::assertSame(Library::SCOPE, 'JUSTCLICK');
    }

    public function testDeclarationsHaveNoPreprocessorLines(): void
    {
        // FFI::cdef has no preprocessor: PHP 8.2.36 skips '#' lines without
        // evaluating them (and fails on one that ends the text without a
        // newline), so Library gives cdef the declarations without any.
        $decl = Library::declarations(file_get_contents(self::header()));
        self::assertDoesNotMatchRegularExpression('/^\s*#/m', $decl);
        self::assertStringContainsString('jc_status jc_call_batch(', $decl);
        // Only the '#' lines changed (to empty lines, so line numbers in
        // parse errors still match the file).
        $raw = explode("\n", file_get_contents(self::header()));
        $stripped = explode("\n", $decl);
        self::assertCount(count($raw), $stripped);
        foreach ($raw as $i => $line) {
            self::assertSame(str_starts_with($line, '#') ? '' : $line, $stripped[$i]);
        }
    }

    public function testCdefOfTheStrippedHeader(): void
    {
        $ffi = FFI::cdef(Library::declarations(file_get_contents(self::header())), Sandbox::lib());
        self::assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', $ffi->jc_version());
        self::assertSame('bad_signature', $ffi->jc_status_name(7));
        self::assertSame('unknown', $ffi->jc_status_name(4242));
        self::assertSame(9, $ffi->JC_ERR_PANIC);
        self::assertIsString($ffi->jc_last_error_message()); // static, never freed
    }

    public function testFfiLoadOfACopyWithAbsoluteLib(): void
    {
        $text = Library::headerText(Sandbox::lib());
        self::assertStringStartsWith('#define FFI_SCOPE "JUSTCLICK"' . "\n" . '#define FFI_LIB "' . realpath(Sandbox::lib()) . '"', $text);
        $tmp = tempnam(sys_get_temp_dir(), 'jc_h_');
        file_put_contents($tmp, $text);
        try {
            $ffi = FFI::load($tmp);
        } finally {
            unlink($tmp);
        }
        self::assertInstanceOf(FFI::class, $ffi);
        self::assertSame('ok', $ffi->jc_status_name(0));

        // Through Library and a Client given that instance.
        $loaded = Library::loadHeaderFile(Sandbox::lib());
        $sb = self::sandbox();
        $jc = new Client('demo', $sb->secret, ['ffi' => $loaded, 'base_url' => $sb->baseUrl]);
        self::assertSame('FFI instance given by the caller', $jc->library());
        self::assertSame(['a' => 'б'], $jc->call('SandboxEcho', ['a' => 'б']));
    }

    public function testFfiHeaderScriptPrintsTheSameHeader(): void
    {
        $php = PHP_BINARY;
        $script = dirname(__DIR__) . '/ffi-header.php';
        $out = shell_exec(escapeshellarg($php) . ' ' . escapeshellarg($script) . ' ' . escapeshellarg(Sandbox::lib()));
        self::assertSame(Library::headerText(Sandbox::lib()), $out);
        exec(escapeshellarg($php) . ' ' . escapeshellarg($script) . ' /nonexistent/libjustclick.so 2>&1', $lines, $rc);
        self::assertSame(1, $rc);
        self::assertStringContainsString('/nonexistent/libjustclick.so', implode("\n", $lines));
    }

    public function testOneInstancePerLibrary(): void
    {
        $a = Library::fromPath(Sandbox::lib());
        self::assertSame($a, Library::fromPath(Sandbox::lib()));
        $link = sys_get_temp_dir() . '/jc-link-' . bin2hex(random_bytes(4)) . '.so';
        symlink(realpath(Sandbox::lib()), $link);
        try {
            self::assertSame($a, Library::fromPath($link), 'cached by real path');
        } finally {
            unlink($link);
        }
        $ffiOf = static fn (Client $c) => (new \ReflectionProperty(FfiEngine::class, 'ffi'))
            ->getValue((new \ReflectionProperty(Client::class, 'engine'))->getValue($c));
        self::assertSame($a, $ffiOf(self::client()));
        self::assertSame($ffiOf(self::client()), $ffiOf(self::client()));
    }

    public function testMissingLibraryNamesThePath(): void
    {
        $e = self::thrown(LibraryException::class, fn () => new Client('demo', 's', ['lib' => '/nonexistent/dir/libjustclick.so']));
        self::assertStringContainsString('/nonexistent/dir/libjustclick.so', $e->getMessage());
        self::assertStringContainsString('option "lib"', $e->getMessage());

        $saved = getenv('JUSTCLICK_LIB');
        putenv('JUSTCLICK_LIB=/nonexistent/env/libjustclick.so');
        try {
            self::assertSame('php', (new Client('demo', 's'))->engine(), 'engine auto: pure PHP without a library');
            $e = self::thrown(LibraryException::class, fn () => new Client('demo', 's', ['engine' => 'ffi']));
            self::assertStringContainsString('/nonexistent/env/libjustclick.so', $e->getMessage());
            self::assertStringContainsString('JUSTCLICK_LIB', $e->getMessage());
            putenv('JUSTCLICK_LIB');
            self::assertSame(dirname(__DIR__, 3) . '/target/release/libjustclick.so', Library::defaultPath());
        } finally {
            putenv($saved === false ? 'JUSTCLICK_LIB' : "JUSTCLICK_LIB=$saved");
        }
    }

    public function testDefaultLookupUsesJustclickLib(): void
    {
        $saved = getenv('JUSTCLICK_LIB');
        putenv('JUSTCLICK_LIB=' . Sandbox::lib());
        try {
            $sb = self::sandbox();
            $jc = new Client('demo', $sb->secret, ['base_url' => $sb->baseUrl, 'lib' => null, 'scope' => null]);
            self::assertSame('FFI::cdef(' . realpath(Sandbox::lib()) . ')', $jc->library());
            self::assertSame(['k' => 'v'], $jc->call('SandboxEcho', ['k' => 'v']));
        } finally {
            putenv($saved === false ? 'JUSTCLICK_LIB' : "JUSTCLICK_LIB=$saved");
        }
    }

    public function testMissingHeaderNamesThePath(): void
    {
        $e = self::thrown(LibraryException::class, fn () => Library::findHeader(Sandbox::lib(), '/nonexistent/justclick_php.h'));
        self::assertStringContainsString('/nonexistent/justclick_php.h', $e->getMessage());
        // A library copied elsewhere still finds the repository's header;
        // JUSTCLICK_HEADER pointing nowhere is reported.
        putenv('JUSTCLICK_HEADER=/nonexistent/env.h');
        try {
            $e = self::thrown(LibraryException::class, fn () => Library::findHeader(Sandbox::lib()));
            self::assertStringContainsString('/nonexistent/env.h', $e->getMessage());
        } finally {
            putenv('JUSTCLICK_HEADER');
        }
        self::assertSame(realpath(self::header()), realpath(Library::findHeader('/somewhere/else/lib/libjustclick.so')));
    }

    public function testNoScopeInTheCli(): void
    {
        // opcache.preload does not run in the CLI here, so there is no scope.
        self::assertNull(Library::tryScope());
        $e = self::thrown(LibraryException::class, fn () => new Client('demo', 's', ['scope' => 'JUSTCLICK']));
        self::assertStringContainsString('opcache.preload', $e->getMessage());
        self::assertStringContainsString('preload.php', $e->getMessage());
    }
}
