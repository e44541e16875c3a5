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
 * variable JUSTCLICK_LIB, else the system library `libjustclick.so.0` as
 * the dynamic loader finds it (the Debian package, `make install`,
 * LD_LIBRARY_PATH), else the repository's own release build
 * (bindings/php/../../target/release/libjustclick.so). The header at: the
 * `header` argument, else JUSTCLICK_HEADER, else `include/justclick_php.h`
 * next to the library's directory (`PREFIX/lib/..` after `make install`,
 * `target/<profile>/../..` in the repository), else `justclick_php.h`
 * beside autoload.php (the Debian package php-justclick).
 *
 * What persists: under the CLI (scripts, cron, queue workers) an instance
 * is cached in a static property for the rest of the process, so one
 * library serves every client. Under PHP-FPM (and mod_php) PHP resets static
 * properties at the end of every request, so the cache lasts one request:
 * a scope preloaded at server start (FFI::scope) stays, while FFI::cdef
 * parses the header again in each request. What libjustclick keeps itself
 * stays with the process. Within one cached instance, the library outlives
 * every client that uses it (a client holds its instance).
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

    /** The SONAME the system library is installed under. */
    public const SONAME = 'libjustclick.so.0';

    /**
     * The library path a client uses when given no `lib` option: the
     * environment variable JUSTCLICK_LIB, else the system library (see
     * {@see systemPath()}), else the repository's release build. The file is
     * not checked here.
     */
    public static function defaultPath(): string
    {
        $env = getenv('JUSTCLICK_LIB');
        if (is_string($env) && $env !== '') {
            return $env;
        }
        return self::systemPath() ?? dirname(__DIR__, 4) . '/target/release/libjustclick.so';
    }

    /**
     * The first `libjustclick.so.0` in the directories the dynamic loader
     * searches, in its order: LD_LIBRARY_PATH, the directories of
     * /etc/ld.so.conf (and its includes, which ld.so.cache is built from),
     * then the default ones. Null when there is none. The loader itself is
     * not asked (dlopen by SONAME) because it answers with whatever
     * libjustclick this process has already loaded, whatever its path.
     */
    public static function systemPath(): ?string
    {
        $dirs = explode(':', (string) getenv('LD_LIBRARY_PATH'));
        array_push($dirs, ...self::ldSoConfDirs('/etc/ld.so.conf', 0));
        array_push($dirs, '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib');
        foreach ($dirs as $dir) {
            // @: a directory outside open_basedir is simply not a candidate.
            if ($dir !== '' && $dir[0] === '/' && @is_file($dir . '/' . self::SONAME)) {
                return $dir . '/' . self::SONAME;
            }
        }
        return null;
    }

    /**
     * The directories listed in an ld.so.conf file, following `include`
     * globs (nested at most a few levels, as a loop guard).
     *
     * @return list<string>
     */
    private static function ldSoConfDirs(string $file, int $depth): array
    {
        $lines = $depth > 4 ? false : @file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES);
        $dirs = [];
        foreach ($lines === false ? [] : $lines as $line) {
            $line = trim(explode('#', $line, 2)[0]);
            if (preg_match('/^include\s+(\S+)$/', $line, $m) === 1) {
                $pattern = $m[1][0] === '/' ? $m[1] : dirname($file) . '/' . $m[1];
                foreach (glob($pattern) ?: [] as $inc) {
                    array_push($dirs, ...self::ldSoConfDirs($inc, $depth + 1));
                }
            } elseif ($line !== '' && $line[0] === '/') {
                $dirs[] = $line;
            }
        }
        return $dirs;
    }

    /**
     * Whether {@see Client} could load libjustclick here with no `lib`,
     * `header`, `scope` or `ffi` option, as the `engine` option `auto`
     * asks: the FFI extension is loaded and enabled for this context, and
     * the scope is preloaded (from a header of this version), or (where
     * FFI::cdef is allowed) the library and its header exist. Never throws or warns; costs a few stat calls
     * at most, and nothing once an instance is cached.
     */
    public static function loadable(): bool
    {
        if (!extension_loaded('ffi') || self::ffiDisabled()) {
            return false;
        }
        $preloadOnly = PHP_SAPI !== 'cli' && ini_get('ffi.enable') === 'preload';
        if ($preloadOnly && (string) ini_get('opcache.preload') === '' && (string) ini_get('ffi.preload') === '') {
            // Nothing can have made the scope, and nothing else is allowed:
            // answer without asking FFI (whose refusal is an exception).
            return false;
        }
        $scope = self::tryScope();
        if ($scope !== null) {
            // A scope from a header of another version cannot serve.
            try {
                self::checkVersion($scope, 'FFI::scope(' . self::SCOPE . ')');
            } catch (LibraryException $e) {
                return false;
            }
            return true;
        }
        if ($preloadOnly) {
            return false;
        }
        $path = self::defaultPath();
        if (isset(self::$instances['cdef:' . (string) @realpath($path)])) {
            return true;
        }
        try {
            self::findHeader(self::existingLibrary($path, 'the default'));
        } catch (ExceptionInterface $e) {
            return false;
        }
        return true;
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
        if (PHP_SAPI !== 'cli' && ini_get('ffi.enable') === 'preload') {
            // FFI::cdef would be refused: what is missing is the preload.
            throw self::notPreloaded($lib, $header, $origin);
        }
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
     * to a file with ffi-header.php). The real path is written, unless PHP
     * could not read it there (see {@see ffiLibDefine()}) and `$lib` is an
     * absolute path PHP can read, e.g. a link made for that reason.
     *
     * @param string|null $lib    path of libjustclick.so (null: default lookup)
     * @param string|null $header path of justclick_php.h (null: default lookup)
     *
     * @throws LibraryException when the library or its header is not found, or
     *                          PHP could not read the library's path in FFI_LIB
     */
    public static function headerText(?string $lib = null, ?string $header = null): string
    {
        $origin = $lib === null ? self::describeDefault() : 'the argument "lib"';
        $lib ??= self::defaultPath();
        $real = self::existingLibrary($lib, $origin);
        // A link from a plain path to a library whose real path PHP cannot
        // read in FFI_LIB is the documented way out, so keep that path.
        $path = !self::ffiLibReadable($real) && str_starts_with($lib, '/') && self::ffiLibReadable($lib) ? $lib : $real;
        return self::withFfiLib(self::readHeader(self::findHeader($real, $header)), $path);
    }

    /**
     * The header text with its FFI_LIB line set to `$path`.
     *
     * @throws LibraryException when the header has no FFI_LIB line or PHP could not read `$path` there
     */
    private static function withFfiLib(string $text, string $path): string
    {
        $define = self::ffiLibDefine($path);
        $count = 0;
        $text = (string) preg_replace_callback(
            '/^#define FFI_LIB .*$/m',
            static fn (): string => $define,
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
     * directly in the CLI. Not cached. A library whose path FFI_LIB cannot
     * hold (spaces, non-ASCII letters) is loaded through a temporary link.
     *
     * @param string|null $lib    path of libjustclick.so (null: default lookup)
     * @param string|null $header path of justclick_php.h (null: default lookup)
     *
     * @throws LibraryException when the library, its header or FFI is unusable
     */
    public static function loadHeaderFile(?string $lib = null, ?string $header = null): FFI
    {
        self::requireFfi();
        $origin = $lib === null ? self::describeDefault() : 'the argument "lib"';
        $real = self::existingLibrary($lib ?? self::defaultPath(), $origin);
        $link = null;
        if (!self::ffiLibReadable($real)) {
            // FFI_LIB cannot name this path; a temporary link with a plain
            // name can, and the loaded library stays loaded after it is gone.
            $link = self::temporaryLink($real);
        }
        try {
            $text = self::withFfiLib(self::readHeader(self::findHeader($real, $header)), $link ?? $real);
        } catch (LibraryException $e) {
            if ($link !== null) {
                self::removeLink($link);
            }
            throw $e;
        }
        $tmp = tempnam(sys_get_temp_dir(), 'justclick_php_h_');
        if ($tmp === false || file_put_contents($tmp, $text) !== strlen($text)) {
            if ($link !== null) {
                self::removeLink($link);
            }
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
            if ($link !== null) {
                self::removeLink($link);
            }
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
        // The classes first: if the library then fails, the requests still
        // run this code as preloaded code, which ffi.enable=preload lets ask
        // for the scope, and so report what is missing.
        // Every class, the engines' too: with ffi.enable=preload only
        // preloaded code may call FFI, and FfiEngine makes the calls.
        foreach ([...glob(__DIR__ . '/*.php') ?: [], ...glob(__DIR__ . '/*/*.php') ?: []] as $file) {
            $relative = substr($file, strlen(__DIR__) + 1, -4);
            $name = __NAMESPACE__ . '\\' . str_replace('/', '\\', $relative);
            if (!class_exists($name) && !interface_exists($name)) {
                throw new LibraryException("cannot preload $name from $file");
            }
        }
        self::requireFfi();
        try {
            $ffi = FFI::scope(self::SCOPE); // created by ffi.preload?
            $how = 'ffi.preload=' . (string) ini_get('ffi.preload');
        } catch (\FFI\Exception $e) {
            $ffi = self::loadHeaderFile($lib, $header);
            $how = 'FFI::load in opcache.preload';
        }
        self::checkVersion($ffi, $how);
    }

    /**
     * The message when the scope is missing where only it could work
     * (ffi.enable=preload outside the CLI): what was set, what is missing
     * as far as this process can see, and where preload.php logged why.
     */
    private static function notPreloaded(?string $lib, ?string $header, string $origin): LibraryException
    {
        $preload = (string) ini_get('opcache.preload');
        $msg = sprintf(
            'libjustclick was not preloaded: the FFI scope "%s" does not exist in this %s process, and '
            . 'ffi.enable=preload refuses loading it per request',
            self::SCOPE,
            PHP_SAPI
        );
        if ($preload === '') {
            return new LibraryException($msg . sprintf(
                '. Set opcache.preload=%s and opcache.enable=1 (see the package README.md), or ffi.enable=1',
                dirname(__DIR__, 2) . '/preload.php'
            ));
        }
        $msg .= ". opcache.preload=$preload ran when the server started and logged why to the PHP error log "
            . '(a line "JustClick preload: ...")';
        $ffiPreload = (string) ini_get('ffi.preload');
        $problems = [];
        foreach ($ffiPreload === '' ? [] : explode(PATH_SEPARATOR, $ffiPreload) as $file) {
            if (!is_file($file)) {
                $problems[] = "ffi.preload names $file, which does not exist";
            }
        }
        if ($ffiPreload === '') {
            try {
                self::findHeader(self::existingLibrary($lib ?? self::defaultPath(), $origin), $header);
            } catch (ExceptionInterface $e) {
                $problems[] = $e->getMessage();
            }
        }
        if ($problems !== []) {
            $msg .= '; as seen from this process: ' . implode('; ', $problems);
        }
        return new LibraryException($msg . '. Fix it, then restart PHP-FPM.');
    }

    /**
     * Checks that `$ffi` is libjustclick with the header of the same version:
     * jc_version() against the header's JC_HEADER_VERSION. A header left over
     * from another version (ffi.preload, a copy made by ffi-header.php)
     * declares functions the library may no longer have, or with other
     * arguments, which would fail later or worse.
     *
     * @param FFI    $ffi the loaded instance
     * @param string $how how it was loaded, for the message
     *
     * @return string the library's version
     *
     * @throws LibraryException when they are not the same version, or `$ffi` is not libjustclick
     */
    public static function checkVersion(FFI $ffi, string $how): string
    {
        $fix = 'regenerate the header with `php ' . dirname(__DIR__, 2) . '/ffi-header.php '
            . '/path/to/libjustclick.so > /etc/php/justclick_php.h` (for ffi.preload) and restart PHP-FPM';
        try {
            $version = $ffi->jc_version();
        } catch (\FFI\Exception $e) {
            throw new LibraryException("$how does not declare libjustclick's jc_version(): " . $e->getMessage(), 0, $e);
        }
        if (!is_string($version) || preg_match('/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})/', $version, $m) !== 1) {
            throw new LibraryException("$how: jc_version() did not return a version (is it libjustclick?)");
        }
        $expected = (int) $m[1] * 1000000 + (int) $m[2] * 1000 + (int) $m[3];
        try {
            $declared = $ffi->JC_HEADER_VERSION;
        } catch (\FFI\Exception $e) {
            throw new LibraryException(
                "libjustclick $version is loaded through $how, whose header is older than "
                . "JC_HEADER_VERSION (written for another version): $fix",
                0,
                $e
            );
        }
        if ($declared !== $expected) {
            throw new LibraryException(sprintf(
                'libjustclick %s is loaded through %s, but its header was written for %s: %s',
                $version,
                $how,
                is_int($declared)
                    ? sprintf('%d.%d.%d', intdiv($declared, 1000000), intdiv($declared, 1000) % 1000, $declared % 1000)
                    : 'another version',
                $fix
            ));
        }
        return $version;
    }

    /**
     * The `#define FFI_LIB "..."` line for `$path`. PHP reads the path
     * between the quotes byte for byte, without escapes (so JSON's `\/` or
     * `\u0443` would name another file), and ends it at the first `"` or
     * line break: such paths cannot be written and are refused.
     *
     * @param string $path the library's absolute path
     *
     * @throws LibraryException when PHP could not read the path back
     */
    public static function ffiLibDefine(string $path): string
    {
        if (!self::ffiLibReadable($path)) {
            throw new LibraryException(sprintf(
                'PHP cannot read the library path %s in "#define FFI_LIB" (its parser refuses spaces, '
                . 'double quotes, control characters and non-ASCII letters there): link the library from a '
                . 'plain path, e.g. `ln -s %s /usr/local/lib/libjustclick.so.0`, and give that path',
                json_encode($path, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE),
                escapeshellarg($path)
            ));
        }
        return '#define FFI_LIB "' . $path . '"';
    }

    /**
     * Whether PHP's FFI::load reads `$path` back from `#define FFI_LIB`:
     * it stops at any byte <= ' ' (a signed char, so UTF-8 bytes too) and
     * at the closing quote.
     */
    private static function ffiLibReadable(string $path): bool
    {
        return $path !== '' && preg_match('/["\x00-\x20\x7f-\xff]/', $path) !== 1;
    }

    /**
     * A symbolic link with a plain name to `$real`, in a new directory under
     * the temporary directory.
     *
     * @throws LibraryException when it cannot be made
     */
    private static function temporaryLink(string $real): string
    {
        $dir = sys_get_temp_dir() . '/justclick-lib-' . bin2hex(random_bytes(8));
        $link = $dir . '/libjustclick.so';
        if (!self::ffiLibReadable($link) || !@mkdir($dir, 0700) || !@symlink($real, $link)) {
            @rmdir($dir);
            throw new LibraryException(self::ffiLibDefineProblem($real) . ' (no temporary link could be made in '
                . sys_get_temp_dir() . ')');
        }
        return $link;
    }

    private static function removeLink(string $link): void
    {
        @unlink($link);
        @rmdir(dirname($link));
    }

    private static function ffiLibDefineProblem(string $path): string
    {
        try {
            self::ffiLibDefine($path);
        } catch (LibraryException $e) {
            return $e->getMessage();
        }
        return "cannot load $path";
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
            self::openBasedirAllows($header, 'the header', 'justclick_php.h');
            if (!is_file($header)) {
                throw new LibraryException("justclick_php.h not found at $header (the option \"header\")");
            }
            return $header;
        }
        $env = getenv('JUSTCLICK_HEADER');
        if (is_string($env) && $env !== '') {
            self::openBasedirAllows($env, 'the header', 'justclick_php.h');
            if (!is_file($env)) {
                throw new LibraryException("justclick_php.h not found at $env (JUSTCLICK_HEADER)");
            }
            return $env;
        }
        $candidates = [
            dirname($lib, 2) . '/include/justclick_php.h',
            dirname($lib, 3) . '/include/justclick_php.h',
            dirname(__DIR__, 2) . '/justclick_php.h',
            dirname(__DIR__, 4) . '/include/justclick_php.h',
        ];
        foreach ($candidates as $c) {
            if (is_file($c)) {
                return $c;
            }
        }
        foreach ($candidates as $c) {
            self::openBasedirAllows($c, 'the header', 'justclick_php.h');
        }
        throw new LibraryException(
            'justclick_php.h not found; tried ' . implode(', ', $candidates)
            . ' (set the option "header" or JUSTCLICK_HEADER)'
        );
    }

    private static function readHeader(string $path): string
    {
        self::openBasedirAllows($path, 'the header', 'justclick_php.h');
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
        self::openBasedirAllows($lib, 'the library', 'libjustclick.so');
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
            : 'the default: the system library ' . self::SONAME . ' (none found by the loader), then the '
                . 'repository\'s release build, as neither the option "lib" nor JUSTCLICK_LIB is set';
    }

    /** Whether php.ini says ffi.enable=0 (in any of its spellings). */
    private static function ffiDisabled(): bool
    {
        return in_array(strtolower((string) ini_get('ffi.enable')), ['0', '', 'off', 'false', 'no'], true);
    }

    private static function requireFfi(): void
    {
        if (!extension_loaded('ffi')) {
            throw new LibraryException(
                'the PHP FFI extension is not loaded (Debian: it is in php8.2-common; check extension=ffi)'
            );
        }
        // ffi.enable=0 refuses preloading too, so advising it alone would not help.
        if (self::ffiDisabled()) {
            throw new LibraryException(
                'FFI is disabled (ffi.enable=0): set ffi.enable=preload and preload, or ffi.enable=1 '
                . '(in php.ini: ffi.enable cannot be changed by ini_set, .user.ini or php_value)'
            );
        }
    }

    /**
     * A file outside open_basedir looks missing to PHP (realpath() and
     * is_file() say false), which would be reported as "not found, build
     * it": say that open_basedir forbids it instead. realpath() warns only
     * for a file that exists but is forbidden, which is what we look for.
     *
     * @throws LibraryException when open_basedir forbids `$path`
     */
    private static function openBasedirAllows(string $path, string $what, string $name): void
    {
        $basedir = (string) ini_get('open_basedir');
        if ($basedir === '') {
            return;
        }
        error_clear_last();
        if (@realpath($path) !== false) {
            return;
        }
        $warning = error_get_last()['message'] ?? '';
        if (!str_contains($warning, 'open_basedir')) {
            return;
        }
        throw new LibraryException(sprintf(
            'open_basedir (%s) forbids %s %s: add its directory to open_basedir, or move %s inside it',
            $basedir,
            $what,
            $path,
            $name
        ));
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
