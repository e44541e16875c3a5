<?php

declare(strict_types=1);

namespace JustClick\Tests;

use FFI;
use JustClick\Client;
use JustClick\ExceptionInterface;
use JustClick\Library;
use JustClick\LibraryException;
use JustClick\Tests\Support\Sandbox;

/**
 * A header that does not match the library (left over in ffi.preload, or a
 * user's own `ffi` instance) ends in LibraryException, never in an
 * \FFI\Exception that `catch (JustClick\ExceptionInterface)` would miss.
 *
 * About the FFI engine, or drives both engines itself: run once.
 *
 * @group once
 */
final class HeaderVersionTest extends TestCase
{
    private static function header(): string
    {
        return file_get_contents(dirname(__DIR__, 3) . '/include/justclick_php.h');
    }

    /** A client over FFI::cdef of $declarations; the exception it throws. */
    private static function clientOver(string $declarations, ?callable $use = null): LibraryException
    {
        $ffi = FFI::cdef(Library::declarations($declarations), Sandbox::lib());
        $sb = self::sandbox();
        $e = self::thrown(LibraryException::class, static function () use ($ffi, $sb, $use): void {
            $jc = new Client('demo', $sb->secret, ['ffi' => $ffi, 'base_url' => $sb->baseUrl]);
            if ($use !== null) {
                $use($jc);
            }
        });
        self::assertInstanceOf(ExceptionInterface::class, $e);
        self::assertStringNotContainsString($sb->secret, $e->getMessage());
        return $e;
    }

    public function testHeaderDeclaresTheLibraryVersion(): void
    {
        $ffi = Library::fromPath(Sandbox::lib());
        preg_match('/^(\d+)\.(\d+)\.(\d+)/', $ffi->jc_version(), $m);
        self::assertSame((int) $m[1] * 1000000 + (int) $m[2] * 1000 + (int) $m[3], $ffi->JC_HEADER_VERSION);
        self::assertSame($ffi->jc_version(), Library::checkVersion($ffi, 'test'));
        self::assertSame($ffi->jc_version(), self::client()->libraryVersion());
    }

    public function testStaleHeaderIsRefused(): void
    {
        $count = 0;
        $stale = preg_replace('/JC_HEADER_VERSION = \d+/', 'JC_HEADER_VERSION = 9008007', self::header(), 1, $count);
        self::assertSame(1, $count);
        $e = self::clientOver($stale);
        self::assertStringContainsString('written for 9.8.7', $e->getMessage());
        self::assertStringContainsString('libjustclick ' . Library::fromPath(Sandbox::lib())->jc_version(), $e->getMessage());
        self::assertStringContainsString('ffi-header.php', $e->getMessage());

        // A header from before JC_HEADER_VERSION existed.
        $older = preg_replace('/^enum \{ JC_HEADER_VERSION = \d+ \};$/m', '', self::header());
        $e = self::clientOver($older);
        self::assertStringContainsString('older', $e->getMessage());
    }

    public function testForeignFfiInstanceIsALibraryException(): void
    {
        $e = self::clientOver('int abs(int);');
        self::assertStringContainsString('jc_version', $e->getMessage());
        self::assertInstanceOf(\FFI\Exception::class, $e->getPrevious());
    }

    public function testParserAndFfiExceptionsAreWrapped(): void
    {
        // Right version, but no jc_client type: \FFI\ParserException inside.
        $version = Library::fromPath(Sandbox::lib())->JC_HEADER_VERSION;
        $e = self::clientOver("enum { JC_HEADER_VERSION = $version };\nconst char *jc_version(void);");
        self::assertInstanceOf(\FFI\ParserException::class, $e->getPrevious());
        self::assertStringContainsString('jc_client', $e->getMessage());

        // A header without jc_call: the call fails with \FFI\Exception inside.
        $count = 0;
        $partial = preg_replace('/^jc_status jc_call\(.*?\);$/ms', '', self::header(), 1, $count);
        self::assertSame(1, $count);
        $e = self::clientOver($partial, static fn (Client $jc) => $jc->call('SandboxEcho', ['a' => 1]));
        self::assertInstanceOf(\FFI\Exception::class, $e->getPrevious());
        self::assertStringContainsString('jc_call', $e->getMessage());
    }
}
