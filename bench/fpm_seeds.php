<?php
// One web request of the FPM benchmark (fpm_bench.py), the seeds' way done
// safely (as seeds.php): a new curl handle (new TCP connection and full TLS
// handshake), http_build_query + md5 signing, json_decode + md5 check,
// certificates verified; JC_BENCH_CALLS (default 1) times, as a script that
// pasted the snippet does for each call. Parameters come as FastCGI params.

declare(strict_types=1);

$secret = (string) $_SERVER['JC_BENCH_SECRET'];
$ok = true;
for ($i = (int) ($_SERVER['JC_BENCH_CALLS'] ?? 1); $i > 0 && $ok; $i--) {
    $data = ['email' => 'client@example.com'];
    $query = http_build_query($data);
    $data['hash'] = md5("$query::demo::$secret");
    $ch = curl_init();
    curl_setopt($ch, CURLOPT_URL, $_SERVER['JC_BENCH_URL'] . '/api/GetBills');
    curl_setopt($ch, CURLOPT_POST, true);
    curl_setopt($ch, CURLOPT_POSTFIELDS, http_build_query($data));
    curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);
    curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, 2);
    curl_setopt($ch, CURLOPT_CAINFO, $_SERVER['JC_BENCH_CA']);
    curl_setopt($ch, CURLOPT_PROXY, '');
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
    $resp = json_decode((string) curl_exec($ch));
    curl_close($ch);
    $ok = is_object($resp) && isset($resp->hash) && is_string($resp->hash)
        && hash_equals(md5("{$resp->error_code}::{$resp->error_text}::$secret"), $resp->hash)
        && $resp->error_code == 0;
}
if (!$ok) {
    http_response_code(500);
}
echo $ok ? 'ok seeds' : 'failed';
