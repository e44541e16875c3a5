<?php

/**
 * Served by php-fpm in PreloadFailureTest: the site is up even when
 * libjustclick could not be preloaded: a client that asks for FFI says why,
 * and one with the default engine serves through pure PHP. Prints JSON.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

header('Content-Type: application/json; charset=UTF-8');

$out = ['site' => 'up', 'sapi' => PHP_SAPI, 'ffi.enable' => ini_get('ffi.enable')];
try {
    $jc = new JustClick\Client('demo', 'secret-of-first-use', ['base_url' => 'http://127.0.0.1:9', 'engine' => 'ffi']);
    $out['client'] = $jc->library();
} catch (Throwable $e) {
    $out['class'] = get_class($e);
    $out['message'] = $e->getMessage();
}
try {
    $out['auto'] = (new JustClick\Client('demo', 'secret-of-first-use', ['base_url' => 'http://127.0.0.1:9']))->engine();
} catch (Throwable $e) {
    $out['auto'] = get_class($e) . ': ' . $e->getMessage();
}
echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
