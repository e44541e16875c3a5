<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Client;
use JustClick\InvalidArgumentException;
use JustClick\Tests\Support\Sandbox;
use JustClick\TransportException;

/**
 * HTTPS against the sandbox's throw-away CA (--tls --ca-out FILE): verified
 * with the option ca_file, refused without it. Verification cannot be
 * turned off.
 */
final class TlsTest extends TestCase
{
    private static ?Sandbox $tls = null;

    private static string $dir;

    public static function setUpBeforeClass(): void
    {
        self::$dir = sys_get_temp_dir() . '/justclick-php-tls-' . bin2hex(random_bytes(4));
        mkdir(self::$dir);
        self::$tls = Sandbox::start(['--tls'], self::$dir . '/ca.pem');
    }

    public static function tearDownAfterClass(): void
    {
        self::$tls?->stop();
        self::$tls = null;
        @unlink(self::$dir . '/ca.pem');
        @rmdir(self::$dir);
    }

    public function testVerifiedWithTheSandboxCa(): void
    {
        $sb = self::$tls;
        self::assertStringStartsWith('https://127.0.0.1:', $sb->baseUrl);
        self::assertSame(self::$dir . '/ca.pem', $sb->caFile);
        $jc = new Client('demo', $sb->secret, $sb->options(['ca_file' => $sb->caFile]));
        self::assertCount(2, $jc->getBills('client@example.com', 'paid'));
        self::assertSame('Заказ удален', $jc->deleteOrder('1111'));
        $results = $jc->callBatch(array_fill(0, 10, ['method' => 'SandboxEcho', 'params' => ['a' => 'б']]), 4);
        self::assertSame(array_fill(0, 10, ['a' => 'б']), $results);
    }

    public function testRefusedWithoutTheCa(): void
    {
        $sb = self::$tls;
        $jc = new Client('demo', $sb->secret, $sb->options());
        $e = self::thrown(TransportException::class, fn () => $jc->getBills('client@example.com'));
        self::assertMatchesRegularExpression('/certificate|UnknownIssuer|issuer/i', $e->getMessage());
    }

    public function testRefusedWithAnotherCa(): void
    {
        // A second sandbox's CA does not vouch for the first one's certificate.
        $other = Sandbox::start(['--tls'], self::$dir . '/other.pem');
        $sb = self::$tls;
        $jc = new Client('demo', $sb->secret, $sb->options(['ca_file' => $other->caFile]));
        self::thrown(TransportException::class, fn () => $jc->getBills('client@example.com'));
        $other->stop();
        @unlink(self::$dir . '/other.pem');
    }

    public function testPlainHttpClientAgainstTlsFails(): void
    {
        $sb = self::$tls;
        $plain = 'http://' . substr($sb->baseUrl, strlen('https://'));
        $jc = new Client('demo', $sb->secret, $sb->options(['base_url' => $plain, 'timeout_ms' => 2000]));
        try {
            $jc->getBills('client@example.com');
            self::fail('plain HTTP against an HTTPS server must fail');
        } catch (\JustClick\ExceptionInterface $e) {
            self::assertNotInstanceOf(\JustClick\ApiException::class, $e);
        }
    }

    public function testUnreadableCaFileIsAnInvalidArgument(): void
    {
        $bad = self::$dir . '/not-a-ca.pem';
        file_put_contents($bad, "not a certificate\n");
        $e = self::thrown(InvalidArgumentException::class, fn () => new Client('demo', 's', self::$tls->options(['ca_file' => $bad])));
        self::assertStringContainsString('ca_file', $e->getMessage());
        unlink($bad);
    }
}
