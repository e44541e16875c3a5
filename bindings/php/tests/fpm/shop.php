<?php

/**
 * Served by php-fpm in PureFpmTest: the demo's shop flow
 * (examples/php/shop.php) as a web request, on a PHP-FPM whose php.ini
 * nobody changed, where FFI cannot load. Its environment comes from the
 * pool's env[] lines.
 */

declare(strict_types=1);

header('Content-Type: text/plain; charset=UTF-8');
require dirname(__DIR__, 4) . '/examples/php/shop.php';
require_once dirname(__DIR__, 2) . '/autoload.php';
$jc = new JustClick\Client((string) getenv('JUSTCLICK_LOGIN'), (string) getenv('JUSTCLICK_SECRET'), [
    'base_url' => (string) getenv('JUSTCLICK_BASE_URL'),
    'ca_file' => (string) getenv('JUSTCLICK_CA_FILE'),
]);
echo 'engine ', $jc->engine(), "\n";
