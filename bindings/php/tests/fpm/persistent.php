<?php

/**
 * Served by php-fpm in PersistentFpmTest: one HTTPS call through a new
 * JustClick\Client with `persistent => true`, as a web request of a shop
 * would make it; prints what happened as JSON.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

header('Content-Type: application/json; charset=UTF-8');

$out = ['pid' => getmypid(), 'ffi.enable' => ini_get('ffi.enable')];
try {
    $options = [
        'base_url' => (string) $_SERVER['JUSTCLICK_TEST_BASE_URL'],
        'ca_file' => (string) $_SERVER['JUSTCLICK_TEST_CA_FILE'],
        'proxy' => '',
        'persistent' => true,
    ];
    $lib = (string) ($_SERVER['JUSTCLICK_TEST_LIB'] ?? '');
    if ($lib !== '') {
        $options['lib'] = $lib; // ffi.enable=1: FFI::cdef in every request
    }
    $jc = new JustClick\Client('demo', (string) $_SERVER['JUSTCLICK_TEST_SECRET'], $options);
    $out['library'] = $jc->library();
    $out['echo'] = $jc->call('SandboxEcho', ['n' => (string) ($_SERVER['JUSTCLICK_TEST_N'] ?? '')]);
} catch (Throwable $e) {
    $out['error'] = get_class($e) . ': ' . $e->getMessage();
}
echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
