<?php

/**
 * Served by php-fpm in FpmTest: uses JustClick\Client under
 * ffi.enable=preload, where only the preloaded FFI scope is allowed, and
 * prints what happened as JSON.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/autoload.php';

header('Content-Type: application/json; charset=UTF-8');

$out = [
    'sapi' => PHP_SAPI,
    'ffi.enable' => ini_get('ffi.enable'),
    'pid' => getmypid(),
];
$status = function_exists('opcache_get_status') ? opcache_get_status(false) : false;
$out['preloaded'] = is_array($status) ? ($status['preload_statistics']['classes'] ?? []) : [];
try {
    FFI::cdef('int abs(int);');
    $out['cdef'] = 'allowed';
} catch (\FFI\Exception $e) {
    $out['cdef'] = 'refused';
}
try {
    $jc = new JustClick\Client('demo', (string) $_SERVER['JUSTCLICK_TEST_SECRET'], [
        'base_url' => (string) $_SERVER['JUSTCLICK_TEST_BASE_URL'],
    ]);
    $out['library'] = $jc->library();
    $out['bills'] = $jc->getBills('client@example.com', 'paid');
    $out['echo'] = $jc->call('SandboxEcho', ['name' => 'Иван 😀', 'rid' => ['g1', 'g2']]);
    try {
        $jc->deleteOrder('no-such-order');
    } catch (JustClick\ApiException $e) {
        $out['api_error'] = [$e->getCode(), $e->getMessage()];
    }
    $out['batch'] = array_map(
        static fn ($r) => $r instanceof JustClick\ExceptionInterface ? get_class($r) : $r,
        $jc->callBatch([['method' => 'SandboxEcho', 'params' => ['i' => 1]], ['method' => 'NoSuchMethod']])
    );
} catch (Throwable $e) {
    $out['error'] = get_class($e) . ': ' . $e->getMessage();
}
echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
