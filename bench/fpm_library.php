<?php
// One web request of the FPM benchmark (fpm_bench.py): a new
// JustClick\Client with persistent => true (the PHP default) and
// JC_BENCH_CALLS (default 1) signed, verified GetBills calls over HTTPS.
// JC_BENCH_ENGINE picks the engine (default auto: FFI where it loads).
// Prints "ok <engine>". Parameters come as FastCGI params.

declare(strict_types=1);

require dirname(__DIR__) . '/bindings/php/autoload.php';

try {
    $jc = new JustClick\Client('demo', (string) $_SERVER['JC_BENCH_SECRET'], [
        'base_url' => (string) $_SERVER['JC_BENCH_URL'],
        'ca_file' => (string) $_SERVER['JC_BENCH_CA'],
        'proxy' => '',
        'persistent' => true,
        'engine' => (string) ($_SERVER['JC_BENCH_ENGINE'] ?? 'auto'),
    ]);
    for ($i = (int) ($_SERVER['JC_BENCH_CALLS'] ?? 1); $i > 0; $i--) {
        $jc->getBills('client@example.com');
    }
    echo 'ok ', $jc->engine();
} catch (Throwable $e) {
    http_response_code(500);
    echo get_class($e), ': ', $e->getMessage();
}
