<?php

/**
 * Writes roots/ from roots.pem: one file per certificate, named by its
 * OpenSSL subject hash (`<hash>.0`), the "hashed directory" form curl's
 * CURLOPT_CAPATH reads. OpenSSL then loads only the root a server's chain
 * names, instead of parsing the whole bundle per connection (about 30 ms
 * per FPM request with OpenSSL 3). Run by `make header` after
 * tests/php_roots.rs rewrote roots.pem; PureTransportTest fails when roots/
 * is out of date. Needs ext-openssl.
 *
 * roots/default.pem is a copy of the first root: curl needs CAINFO to name
 * a file with a certificate, and one already trusted adds nothing.
 *
 *     php bindings/php/resources/roots.php [--check]
 *
 * --check: exit 1 (listing the differences) instead of writing.
 */

declare(strict_types=1);

$dir = __DIR__ . '/roots';
$check = in_array('--check', $argv, true);
$pem = file_get_contents(__DIR__ . '/roots.pem');
if ($pem === false || !extension_loaded('openssl')) {
    fwrite(STDERR, "roots.php: needs roots.pem and ext-openssl (Debian: php-cli)\n");
    exit(2);
}
preg_match_all('/-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----\n/s', $pem, $m);
$want = [];
foreach ($m[0] as $cert) {
    $info = openssl_x509_parse($cert);
    if ($info === false) {
        fwrite(STDERR, "roots.php: a certificate in roots.pem does not parse\n");
        exit(2);
    }
    $n = 0;
    while (isset($want[$info['hash'] . '.' . $n])) {
        $n++;
    }
    $want[$info['hash'] . '.' . $n] = $cert;
}
$have = [];
foreach (glob($dir . '/*') ?: [] as $file) {
    $have[basename($file)] = (string) file_get_contents($file);
}
ksort($want);
$want['default.pem'] = reset($want);
ksort($have);
if ($check) {
    $diff = array_merge(array_keys(array_diff_assoc($want, $have)), array_keys(array_diff_key($have, $want)));
    if ($diff !== []) {
        fwrite(STDERR, 'roots/ is out of date with roots.pem (' . implode(', ', array_unique($diff)) . "): run `make header`\n");
        exit(1);
    }
    exit(0);
}
if (!is_dir($dir) && !mkdir($dir, 0755)) {
    exit(2);
}
foreach (array_diff_key($have, $want) as $name => $_) {
    unlink("$dir/$name");
}
foreach ($want as $name => $cert) {
    file_put_contents("$dir/$name", $cert);
}
echo 'roots.php: ', count($want), " roots in $dir\n";
