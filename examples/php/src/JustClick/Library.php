<?php

declare(strict_types=1);

namespace JustClick;

use FFI;

/**
 * Finds and loads libjustclick through PHP FFI, once per library path (or
 * scope) per process.
 *
 * Three ways, all giving the same declarations (include/justclick_php.h):
 *
 * - FFI::scope('JUSTCLICK'): the fast path under PHP-FPM. preload.php, run
 *   by opcache.preload, calls {@see Library::preload()} which FFI::load()s
 *   the header once per server start. Works with `ffi.enable=preload`.
 * - FFI::cdef(): the CLI default. The header is read and its `#define`
 *   lines removed (FFI::cdef refuses any preprocessor line). Needs
 *   `ffi.enable=preload` (CLI only, the default) or `ffi.enable=1`.
 * - FFI::load(): {@see Library::loadHeaderFile()}, on a copy of the header
 *   whose FFI_LIB names the library's absolute path.
 *
 * The library is looked for at: the `lib` argument, else the environment
 * variable JUSTCLICK_LIB, else the repository's own release build
 * (examples/php/../../target/release/libjustclick.so). The header at: the
 * `header` argument, else JUSTCLICK_HEADER, else `include/justclick_php.h`
 * next to the library's directory (`PREFIX/lib/..` after `make install`,
 * `target/<profile>/../..` in the repository).
 *
 * Instances are cached for the life of the process and never unloaded, so
 * a library outlives every client that uses it.
 */
final class Library
{
    /** The scope name in justclick_php.h (`#define FFI_SCOPE`). */
    public const SCOPE = 'JUSTCLICK';

    /** @var array<string, FFI> loaded instances by "cdef:<realpath>" / "scope:<name>" */
    private static array $instances = [];

    private function __construct()
    {
    }

    /**
     * The library path a client uses when given no `lib` option: the
     * environment variable JUSTCLICK_LIB, else the repository's release
     * build. The file is not checked here.
     */
    public static function defaultPath(): string
    {
        $env = getenv('JUSTCLICK_LIB');
        if (is_string($env) && $env !== '') {
            return $env;
        }
        return dirname(__DIR__, 4) . '/target/release/libjustclick.so';
    }

    /**
     * The FFI instance for the library at `$lib` (default
     * {@see defaultPath()}), loaded with FFI::cdef on first use and cached
     * by real path.
     *
     * @param string|null $lib    path of libjustclick.so (null: default lookup)
     * @param string|null $header path of justclick_php.h (null: default lookup)
     *
     * @throws LibraryException when the library, its header or FFI is unusable
     */
    public static function fromPath(?string $lib = null, ?string $header = null): FFI
    {
        self::requireFfi();
        $origin = $lib === null ? self::describeDefault() : 'the option "lib"';
        $lib ??= self::defaultPath();
        $real = self::existingLibrary($lib, $origin);
        $key = 'cdef:' . $real;
        if (isset(self::$instances[$key])) {
            return self::$instances[$key];
        }
        $declarations = self::declarations(self::readHeader(self::findHeader($real, $header)));
        try {
            $ffi = FFI::cdef($declarations, $real);
        } catch (\FFI\Exception $e) {
            throw new LibraryException(self::ffiFailure('FFI::cdef', $real, $e), 0, $e);
        }
        return self::$instances[$key] = $ffi;
    }

    /**
     * The FFI instance of a scope preloaded by preload.php (opcache.preload).
     *
     * @param string $scope the scope name (default JUSTCLICK)
     *
     * @throws LibraryException when the scope was not preloaded
     */
    public static function fromScope(string $scope = self::SCOPE): FFI
    {
        $key = 'scope:' . $scope;
        if (isset(self::$instances[$key])) {
            return self::$instances[$key];
        }
        $ffi = self::tryScope($scope);
        if ($ffi === null) {
            throw new LibraryException(sprintf(
                'the FFI scope "%s" does not exist in this PHP process: set opcache.preload to %s '
                . '(and opcache.enable=1, opcache.preload_user when root)',
                $scope,
                dirname(__DIR__, 2) . '/preload.php'
            ));
        }
        return $ffi;
    }

    /**
     * The preloaded scope if there is one, else null (never throws for a
     * missing scope; cached once found).
     *
     * @param string $scope the scope name (default JUSTCLICK)
     *
     * @throws LibraryException when the FFI extension is missing
     */
    public static function tryScope(string $scope = self::SCOPE): ?FFI
    {
        self::requireFfi();
        $key = 'scope:' . $scope;
        if (isset(self::$instances[$key])) {
            return self::$instances[$key];
        }
        try {
            $ffi = FFI::scope($scope);
        } catch (\FFI\Exception $e) {
            return null;
        }
        return self::$instances[$key] = $ffi;
    }

    /**
     * The header with `#define FFI_LIB` set to the library's absolute path:
     * what FFI::load() and the php.ini setting `ffi.preload` need (write it
     * to a file with ffi-header.php).
     *
     * @param string|null $lib    path of libjustclick.so (null: default lookup)
     * @param string|null $header path of justclick_php.h (null: default lookup)
     *
     * @throws LibraryException when the library or its header is not found
     */
    public static function headerText(?string $lib = null, ?string $header = null): string
    {
        $origin = $lib === null ? self::describeDefault() : 'the argument "lib"';
        $lib ??= self::defaultPath();
        $real = self::existingLibrary($lib, $origin);
        $text = self::readHeader(self::findHeader($real, $header));
        $count = 0;
        $text = (string) preg_replace(
            '/^#define FFI_LIB .*$/m',
            '#define FFI_LIB ' . json_encode($real, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR),
            $text,
            1,
            $count
        );
        if ($count !== 1) {
            throw new LibraryException('the header has no "#define FFI_LIB" line; FFI::load needs one');
        }
        return $text;
    }

    /**
     * Loads the library with FFI::load() from a temporary file holding
     * {@see headerText()}. Called by preload.php under opcache.preload
     * (where the FFI_SCOPE line makes it the scope JUSTCLICK); usable
     * directly in the CLI. Not cached.
     *
     * @param string|null $lib    path of libjustclick.so (null: default lookup)
     * @param string|null $header path of justclick_php.h (null: default lookup)
     *
     * @throws LibraryException when the library, its header or FFI is unusable
     */
    public static function loadHeaderFile(?string $lib = null, ?string $header = null): FFI
    {
        self::requireFfi();
        $text = self::headerText($lib, $header);
        $tmp = tempnam(sys_get_temp_dir(), 'justclick_php_h_');
        if ($tmp === false || file_put_contents($tmp, $text) !== strlen($text)) {
            throw new LibraryException('cannot write a temporary header in ' . sys_get_temp_dir());
        }
        try {
            $ffi = FFI::load($tmp);
        } catch (\FFI\Exception $e) {
            $msg = 'FFI::load could not load the header for ' . ($lib ?? self::defaultPath()) . ': '
                . $e->getMessage();
            if (str_contains($e->getMessage(), 'opcache.preload_user')) {
                $msg .= ' PHP runs opcache.preload as opcache.preload_user in a child process when the '
                    . 'server starts as root, and forbids FFI::load there: write the header with '
                    . '`php ' . dirname(__DIR__, 2) . '/ffi-header.php > /etc/php/justclick_php.h` '
                    . 'and add `ffi.preload=/etc/php/justclick_php.h` to php.ini.';
            }
            throw new LibraryException($msg, 0, $e);
        } finally {
            @unlink($tmp);
        }
        if (!$ffi instanceof FFI) {
            throw new LibraryException('FFI::load could not load the header (see the PHP warning above)');
        }
        return $ffi;
    }

    /**
     * What preload.php runs under opcache.preload: makes sure the scope
     * JUSTCLICK exists for every request of this server, and preloads the
     * classes of this library.
     *
     * If `ffi.preload` already created the scope (the way when the server
     * starts as root), nothing is loaded; otherwise the header is loaded
     * with FFI::load() (works when the server does not start as root).
     *
     * @param string|null $lib    path of libjustclick.so (null: default lookup)
     * @param string|null $header path of justclick_php.h (null: default lookup)
     *
     * @throws LibraryException when the library, its header or FFI is unusable
     */
    public static function preload(?string $lib = null, ?string $header = null): void
    {
        self::requireFfi();
        try {
            FFI::scope(self::SCOPE); // created by ffi.preload?
        } catch (\FFI\Exception $e) {
            self::loadHeaderFile($lib, $header);
        }
        foreach (glob(__DIR__ . '/*.php') ?: [] as $file) {
            $name = __NAMESPACE__ . '\\' . basename($file, '.php');
            if (!class_exists($name) && !interface_exists($name)) {
                throw new LibraryException("cannot preload $name from $file");
            }
        }
    }

    /**
     * The header text without its preprocessor lines, as FFI::cdef wants it.
     *
     * @param string $header the contents of justclick_php.h
     */
    public static function declarations(string $header): string
    {
        return (string) preg_replace('/^[ \t]*#.*$/m', '', $header);
    }

    /**
     * Where justclick_php.h is: `$header`, else JUSTCLICK_HEADER, else
     * `include/justclick_php.h` one or two levels above the library's
     * directory, else the repository's include/.
     *
     * @param string      $lib    the library's path
     * @param string|null $header an explicit header path
     *
     * @throws LibraryException when no header is found
     */
    public static function findHeader(string $lib, ?string $header = null): string
    {
        if ($header !== null) {
            if (!is_file($header)) {
                throw new LibraryException("justclick_php.h not found at $header (the option \"header\")");
            }
            return $header;
        }
        $env = getenv('JUSTCLICK_HEADER');
        if (is_string($env) && $env !== '') {
            if (!is_file($env)) {
                throw new LibraryException("justclick_php.h not found at $env (JUSTCLICK_HEADER)");
            }
            return $env;
        }
        $candidates = [
            dirname($lib, 2) . '/include/justclick_php.h',
            dirname($lib, 3) . '/include/justclick_php.h',
            dirname(__DIR__, 4) . '/include/justclick_php.h',
        ];
        foreach ($candidates as $c) {
            if (is_file($c)) {
                return $c;
            }
        }
        throw new LibraryException(
            'justclick_php.h not found; tried ' . implode(', ', $candidates)
            . ' (set the option "header" or JUSTCLICK_HEADER)'
        );
    }

    private static function readHeader(string $path): string
    {
        $text = @file_get_contents($path);
        if ($text === false) {
            throw new LibraryException("cannot read $path");
        }
        return $text;
    }

    private static function existingLibrary(string $lib, string $origin): string
    {
        if (str_contains($lib, "\0")) {
            throw new InvalidArgumentException('the library path contains a NUL byte');
        }
        $real = realpath($lib);
        if ($real === false || !is_file($real)) {
            throw new LibraryException(sprintf(
                'libjustclick not found at %s (from %s); build it with `make build` (or '
                . '`cargo build --release`), or point the option "lib" or JUSTCLICK_LIB at it',
                $lib,
                $origin
            ));
        }
        return $real;
    }

    private static function describeDefault(): string
    {
        $env = getenv('JUSTCLICK_LIB');
        return is_string($env) && $env !== ''
            ? 'the environment variable JUSTCLICK_LIB'
            : 'the default: the repository\'s release build, as neither the option "lib" nor JUSTCLICK_LIB is set';
    }

    private static function requireFfi(): void
    {
        if (!extension_loaded('ffi')) {
            throw new LibraryException(
                'the PHP FFI extension is not loaded (Debian: it is in php8.2-common; check extension=ffi)'
            );
        }
    }

    private static function ffiFailure(string $how, string $lib, \FFI\Exception $e): string
    {
        $msg = "$how could not load $lib: " . $e->getMessage();
        if (str_contains($e->getMessage(), 'ffi.enable')) {
            $msg .= sprintf(
                ' (ffi.enable=%s: outside the CLI use the preloaded scope, i.e. opcache.preload=%s, '
                . 'or set ffi.enable=1)',
                (string) ini_get('ffi.enable'),
                dirname(__DIR__, 2) . '/preload.php'
            );
        }
        return $msg;
    }
}
