<?php

/**
 * opcache.preload script: makes libjustclick available in the FFI scope
 * "JUSTCLICK" for every request of the server, and preloads the classes of
 * this library. JustClick\Client finds the scope by itself (FFI::scope()).
 * This is the way under PHP-FPM (or mod_php), where `ffi.enable=preload`
 * forbids FFI::cdef at request time.
 *
 * php.ini of the FPM SAPI (e.g. /etc/php/8.2/fpm/conf.d/90-justclick.ini):
 *
 *     ffi.enable = preload
 *     opcache.enable = 1
 *     opcache.preload = /path/to/bindings/php/preload.php
 *     opcache.preload_user = www-data
 *     ; when the FPM master starts as root (Debian's service does), PHP runs
 *     ; this script in a child process as opcache.preload_user and forbids
 *     ; FFI::load() there, so load the library with ffi.preload instead:
 *     ffi.preload = /etc/php/justclick_php.h
 *
 * Make that header once (again after moving the library) with
 *
 *     php /path/to/bindings/php/ffi-header.php /path/to/libjustclick.so > /etc/php/justclick_php.h
 *
 * Without ffi.preload this script loads the library itself with FFI::load()
 * (possible when the master does not start as root), found as by the
 * client: the environment variable JUSTCLICK_LIB of the FPM master, else the
 * repository's release build; set $lib below to fix a path instead, e.g.
 * '/usr/local/lib/libjustclick.so.0' after `make install`. Restart FPM after
 * replacing the library or these files.
 *
 * If the library or its header is missing, moved or from another version,
 * this script logs one line ("JustClick preload: ...", error_log) and
 * returns, so PHP-FPM still starts; JustClick\Client then throws
 * LibraryException at its first use. See README.md, Deployments.
 */

declare(strict_types=1);

require __DIR__ . '/autoload.php';

$lib = null; // null: JUSTCLICK_LIB, else target/release/libjustclick.so

// A broken install (library or header missing or moved, a stale header) must
// not stop PHP-FPM, which would take down every pool: log one line and
// return. JustClick\Client then serves with the pure-PHP engine (the default
// engine "auto"), or throws LibraryException saying what is missing (engine
// "ffi").
try {
    \JustClick\Library::preload($lib);
} catch (\Throwable $e) {
    error_log('JustClick preload: ' . str_replace(["\r", "\n"], ' ', get_class($e) . ': ' . $e->getMessage())
        . ' (the server runs on; JustClick\Client uses the pure-PHP engine, or throws LibraryException with engine "ffi", until this is fixed and PHP restarted)');
}
