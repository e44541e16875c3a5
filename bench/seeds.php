<?php
// The seeds' approach (shared/seeds/*.txt), done safely: one new curl handle
// per call (so a new TCP connection and, over HTTPS, a full TLS handshake),
// http_build_query + md5 signing, json_decode and md5 verification of the
// answer, with certificate verification ON (CURLOPT_CAINFO = the sandbox CA).
//
// Usage: php seeds.php BASE_URL CA_FILE|- CALLS REPS
//   secret in the environment variable JC_BENCH_SECRET (never on argv).
// Prints one JSON line: {"seconds":[...per rep...],"calls":CALLS,"failed":N}
// Only the loop is timed (PHP start-up is not counted against PHP).

declare(strict_types=1);

if ($argc !== 5) {
    fwrite(STDERR, "usage: php seeds.php BASE_URL CA_FILE|- CALLS REPS\n");
    exit(2);
}
[, $base, $ca, $calls, $reps] = $argv;
$calls = (int)$calls;
$reps = (int)$reps;
$secret = getenv('JC_BENCH_SECRET');
if ($secret === false || $secret === '') {
    fwrite(STDERR, "seeds.php: JC_BENCH_SECRET is not set\n");
    exit(2);
}
if (!function_exists('curl_init')) {
    fwrite(STDERR, "seeds.php: the PHP curl extension is missing (Debian package php-curl)\n");
    exit(2);
}
$user_rs = ['user_id' => 'demo', 'user_rps_key' => $secret];

function Send(string $url, array $data, string $ca)
{
    $ch = curl_init();
    curl_setopt($ch, CURLOPT_URL, $url);
    curl_setopt($ch, CURLOPT_POST, true);
    curl_setopt($ch, CURLOPT_POSTFIELDS, http_build_query($data));
    // The seeds set VERIFYPEER to FALSE; the safe version verifies.
    curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);
    curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, 2);
    if ($ca !== '-') {
        curl_setopt($ch, CURLOPT_CAINFO, $ca);
    }
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
    $res = curl_exec($ch);
    curl_close($ch);
    unset($ch); // PHP 8: the handle (and its connection) goes away here
    return $res;
}

function GetHash(array $params, array $user_rs): string
{
    $params = http_build_query($params);
    $user_id = $user_rs['user_id'];
    $secret = $user_rs['user_rps_key'];
    return md5("$params::$user_id::$secret");
}

function CheckHash($resp, array $user_rs): bool
{
    if (!is_object($resp) || !isset($resp->hash) || !is_string($resp->hash)) {
        return false;
    }
    $secret = $user_rs['user_rps_key'];
    $code = $resp->error_code;
    $text = $resp->error_text;
    // The seeds use ==, which accepts "magic" hashes; the safe version does not.
    return hash_equals(md5("$code::$text::$secret"), $resp->hash);
}

$url = rtrim($base, '/') . '/api/GetBills';
$seconds = [];
$failed = 0;
for ($r = 0; $r < $reps; $r++) {
    $t0 = hrtime(true);
    for ($i = 0; $i < $calls; $i++) {
        $send_data = ['email' => 'client@example.com'];
        $send_data['hash'] = GetHash($send_data, $user_rs);
        $resp = json_decode((string)Send($url, $send_data, $ca));
        if (!CheckHash($resp, $user_rs) || $resp->error_code != 0) {
            $failed++;
        }
    }
    $seconds[] = (hrtime(true) - $t0) / 1e9;
}
echo json_encode(['seconds' => $seconds, 'calls' => $calls, 'failed' => $failed]), "\n";
exit($failed === 0 ? 0 : 1);
