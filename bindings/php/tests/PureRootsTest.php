<?php

declare(strict_types=1);

namespace JustClick\Tests;

/**
 * The pure-PHP engine trusts what the library trusts: resources/roots/ (the
 * hashed directory curl reads) holds exactly the certificates of
 * resources/roots.pem, which tests/php_roots.rs keeps equal to the
 * library's bundled roots.
 *
 * About files, not an engine: run once.
 *
 * @group once
 */
final class PureRootsTest extends TestCase
{
    public function testTheHashedDirectoryIsUpToDate(): void
    {
        $script = dirname(__DIR__) . '/resources/roots.php';
        exec(escapeshellarg(PHP_BINARY) . ' ' . escapeshellarg($script) . ' --check 2>&1', $out, $rc);
        self::assertSame(0, $rc, implode("\n", $out));
        $dir = dirname(__DIR__) . '/resources/roots';
        $pem = (string) file_get_contents(dirname(__DIR__) . '/resources/roots.pem');
        self::assertSame(substr_count($pem, 'BEGIN CERTIFICATE') + 1, count(glob("$dir/*") ?: []), 'one file per root, and default.pem');
        self::assertGreaterThan(100, substr_count($pem, 'BEGIN CERTIFICATE'));
        foreach (glob("$dir/*.[0-9]") ?: [] as $file) {
            $info = openssl_x509_parse((string) file_get_contents($file));
            self::assertIsArray($info, $file);
            self::assertSame($info['hash'], explode('.', basename($file))[0], "$file is named by its subject hash");
        }
        self::assertStringContainsString((string) file_get_contents("$dir/default.pem"), $pem, 'default.pem is one of the roots');
    }

    public function testAServerOutsideTheRootsIsRefusedAndItsCaFileAccepted(): void
    {
        $sb = Support\Sandbox::start(['--tls']);
        $jc = new \JustClick\Client('demo', $sb->secret, ['engine' => 'php', 'base_url' => $sb->baseUrl]);
        $e = self::thrown(\JustClick\TransportException::class, fn () => $jc->call('SandboxEcho'));
        self::assertStringContainsString('TLS handshake with ', $e->getMessage());
        self::assertStringContainsString("add the server's CA with the 'ca_file' option", $e->getMessage());
        $jc = new \JustClick\Client('demo', $sb->secret, ['engine' => 'php', 'base_url' => $sb->baseUrl, 'ca_file' => $sb->caFile]);
        self::assertSame(['x' => '1'], $jc->call('SandboxEcho', ['x' => 1]));
        $sb->stop();
    }
}
