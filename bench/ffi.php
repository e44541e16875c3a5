<?php
// The library from PHP through the raw C ABI (FFI::cdef on
// include/justclick_php.h), without the PHP binding of bindings/php/, so the
// benchmark measures the C ABI itself. One client for all calls: its
// connections are kept alive. Every answer is json_decode()d, as a PHP
// caller would.
//
// Usage: php ffi.php LIB HEADER BASE_URL CA_FILE|- seq CALLS REPS
//        php ffi.php LIB HEADER BASE_URL CA_FILE|- batch CALLS REPS CONCURRENCY
//   secret in the environment variable JC_BENCH_SECRET (never on argv).
// Prints one JSON line: {"seconds":[...per rep...],"calls":CALLS,"failed":N}

declare(strict_types=1);

if ($argc < 8) {
    fwrite(STDERR, "usage: php ffi.php LIB HEADER BASE_URL CA_FILE|- seq|batch CALLS REPS [CONCURRENCY]\n");
    exit(2);
}
[, $lib, $header, $base, $ca, $mode, $calls, $reps] = $argv;
$calls = (int)$calls;
$reps = (int)$reps;
$concurrency = (int)($argv[8] ?? 16);
$secret = getenv('JC_BENCH_SECRET');
if ($secret === false || $secret === '') {
    fwrite(STDERR, "ffi.php: JC_BENCH_SECRET is not set\n");
    exit(2);
}
if (!extension_loaded('FFI')) {
    fwrite(STDERR, "ffi.php: PHP FFI is missing (Debian package php-cli, PHP >= 7.4)\n");
    exit(2);
}

// FFI::cdef refuses preprocessor lines: drop the two #defines.
$decls = preg_replace('/^#.*$/m', '', file_get_contents($header));
$ffi = FFI::cdef($decls, $lib);

$options = ['base_url' => $base];
if ($ca !== '-') {
    $options['ca_file'] = $ca;
}
$client = $ffi->new('jc_client*');
$st = $ffi->jc_client_new('demo', $secret, json_encode($options), FFI::addr($client));
if ($st !== 0) {
    fwrite(STDERR, "ffi.php: jc_client_new failed: " . $ffi->jc_last_error_message() . "\n");
    exit(2);
}

/** Takes ownership of a returned string: copies it and frees it. */
function take(FFI $ffi, FFI\CData $out): string
{
    if (FFI::isNull($out)) {
        return '';
    }
    try {
        return FFI::string($out);
    } finally {
        $ffi->jc_string_free($out);
    }
}

$out = $ffi->new('char*');
// One untimed call: the connection (and TLS handshake) is made once per
// client, as in a long-running PHP worker.
$ffi->jc_get_bills($client, 'client@example.com', null, FFI::addr($out));
take($ffi, $out);
$seconds = [];
$failed = 0;
if ($mode === 'seq') {
    for ($r = 0; $r < $reps; $r++) {
        $t0 = hrtime(true);
        for ($i = 0; $i < $calls; $i++) {
            $st = $ffi->jc_get_bills($client, 'client@example.com', null, FFI::addr($out));
            $doc = json_decode(take($ffi, $out), true);
            if ($st !== 0 || !is_array($doc) || $doc['ok'] !== true) {
                $failed++;
            }
        }
        $seconds[] = (hrtime(true) - $t0) / 1e9;
    }
} elseif ($mode === 'batch') {
    $list = json_encode(array_fill(0, $calls, [
        'method' => 'GetBills',
        'params' => ['email' => 'client@example.com'],
    ]));
    for ($r = 0; $r < $reps; $r++) {
        $t0 = hrtime(true);
        $st = $ffi->jc_call_batch($client, $list, $concurrency, FFI::addr($out));
        $docs = json_decode(take($ffi, $out), true);
        $seconds[] = (hrtime(true) - $t0) / 1e9;
        if ($st !== 0 || !is_array($docs) || count($docs) !== $calls) {
            $failed += $calls;
            continue;
        }
        foreach ($docs as $doc) {
            if ($doc['ok'] !== true) {
                $failed++;
            }
        }
    }
} else {
    fwrite(STDERR, "ffi.php: unknown mode $mode\n");
    exit(2);
}
$ffi->jc_client_free($client);
echo json_encode(['seconds' => $seconds, 'calls' => $calls, 'failed' => $failed]), "\n";
exit($failed === 0 ? 0 : 1);
