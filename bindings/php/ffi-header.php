<?php

/**
 * Prints include/justclick_php.h with `#define FFI_LIB` set to the absolute
 * path of the library, for the php.ini setting `ffi.preload` (see
 * preload.php) or for FFI::load():
 *
 *     php ffi-header.php [/path/to/libjustclick.so] > /etc/php/justclick_php.h
 *
 * Without an argument the library is found as by the client (JUSTCLICK_LIB,
 * else the repository's release build); JUSTCLICK_HEADER overrides where the
 * header is read from.
 */

declare(strict_types=1);

require __DIR__ . '/autoload.php';

if ($argc > 2 || in_array($argv[1] ?? '', ['-h', '--help'], true)) {
    fwrite(STDERR, "usage: php ffi-header.php [/path/to/libjustclick.so] > justclick_php.h\n");
    exit(2);
}
try {
    echo \JustClick\Library::headerText($argv[1] ?? null);
} catch (\JustClick\ExceptionInterface $e) {
    fwrite(STDERR, 'ffi-header.php: ' . $e->getMessage() . "\n");
    exit(1);
}
