<?php
// One web request of the FPM benchmark (fpm_bench.py): a new
// JustClick\Client with persistent => true (the PHP default) and one signed,
// verified GetBills call over HTTPS. Parameters come as FastCGI params.

declare(strict_types=1);

require dirname(__DIR__) . '/bindings/php/autoload.php';

try {
    $jc = new JustClick\Client('demo', (string) $_SERVER['JC_BENCH_SECRET'], [
        'base_url' => (string) $_SERVER['JC_BENCH_URL'],
        'ca_file' => (string) $_SERVER['JC_BENCH_CA'],
        'proxy' => '',
        'persistent' => true,
    ]);
    $jc->getBills('client@example.com');
    echo 'ok';
} catch (Throwable $e) {
    http_response_code(500);
    echo get_class($e), ': ', $e->getMessage();
}
