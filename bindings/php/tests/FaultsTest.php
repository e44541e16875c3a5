<?php

declare(strict_types=1);

namespace JustClick\Tests;

use FFI;
use JustClick\ApiException;
use JustClick\BadResponseException;
use JustClick\BadSignatureException;
use JustClick\Client;
use JustClick\HttpStatusException;
use JustClick\InvalidArgumentException;
use JustClick\LibraryException;
use JustClick\Outcome;
use JustClick\PanicException;
use JustClick\Tests\Support\Sandbox;
use JustClick\TimeoutException;
use JustClick\TransportException;

/**
 * Every exception class, produced by the sandbox's fault modes (set with
 * POST /__sandbox/fault on a sandbox of this class's own, or --fault), by a
 * wrong secret, a closed port, and by libjustclick's panic test hook.
 */
final class FaultsTest extends TestCase
{
    private static ?Sandbox $faulty = null;

    public static function setUpBeforeClass(): void
    {
        self::$faulty = Sandbox::start();
    }

    public static function tearDownAfterClass(): void
    {
        self::$faulty?->stop();
        self::$faulty = null;
    }

    /** @return array<string, array{0: string, 1: class-string, 2: string}> */
    public static function faults(): array
    {
        return [
            'wrong-hash' => ['wrong-hash', BadSignatureException::class, 'does not verify'],
            'magic-hash (PHP == would accept it)' => ['magic-hash', BadSignatureException::class, 'does not verify'],
            'missing-hash' => ['missing-hash', BadSignatureException::class, 'hash'],
            'nonstring-hash' => ['nonstring-hash', BadSignatureException::class, 'hash'],
            'http500' => ['http500', HttpStatusException::class, '500'],
            'http502' => ['http502', HttpStatusException::class, '502'],
            'redirect (never followed)' => ['redirect', HttpStatusException::class, 'not followed'],
            'non-json' => ['non-json', BadResponseException::class, 'HTML'],
            'truncate' => ['truncate', BadResponseException::class, 'truncated'],
            'invalid-utf8' => ['invalid-utf8', BadResponseException::class, 'JSON'],
            'deep-json' => ['deep-json', BadResponseException::class, 'recursion'],
            'huge' => ['huge', BadResponseException::class, 'max_response_bytes'],
            'close' => ['close', TransportException::class, 'closed'],
            'reset' => ['reset', TransportException::class, ''],
            'stall' => ['stall', TimeoutException::class, 'timed out'],
            'slow' => ['slow', TimeoutException::class, 'timed out'],
            'rate-limit' => ['rate-limit', ApiException::class, 'Превышен лимит запросов к API'],
        ];
    }

    /**
     * @dataProvider faults
     * @param class-string $class
     */
    public function testFaultBecomesItsException(string $mode, string $class, string $mention): void
    {
        // A short timeout only where a timeout is the expected outcome, so a
        // slow machine cannot turn another fault into a timeout.
        $timeout = $class === TimeoutException::class ? 400 : 20000;
        $sb = self::$faulty;
        $jc = new Client('demo', $sb->secret, $sb->options(['timeout_ms' => $timeout, 'max_response_bytes' => 1 << 20]));
        self::assertCount(2, $jc->getBills('client@example.com', 'paid'), 'fine before the fault');
        $sb->fault($mode, ['stall_ms' => '3000']);
        try {
            $e = self::thrown($class, fn () => $jc->getBills('client@example.com'));
        } finally {
            $sb->fault('none');
        }
        self::assertCount(2, $jc->getBills('client@example.com', 'paid'), 'the same client works after the fault');
        self::assertInstanceOf(\JustClick\ExceptionInterface::class, $e);
        self::assertInstanceOf(\RuntimeException::class, $e);
        self::assertStringContainsString($mention, $e->getMessage());
        self::assertStringNotContainsString($sb->secret, $e->getMessage());
        if ($e instanceof ApiException) {
            self::assertSame(8, $e->getCode());
        }
        if ($e instanceof HttpStatusException) {
            self::assertSame($e->getCode(), $e->getHttpStatus());
            self::assertContains($e->getHttpStatus(), [500, 502, 302]);
        }
    }

    public function testStringErrorCodeIsAccepted(): void
    {
        $sb = Sandbox::start(['--fault', 'string-code']);
        $jc = new Client('demo', $sb->secret, $sb->options());
        self::assertCount(2, $jc->getBills('client@example.com', 'paid'));
        $e = self::thrown(ApiException::class, fn () => $jc->getBills('nobody@example.com'));
        self::assertSame(400, $e->getCode(), 'getCode() is an int even when the service sends "400"');
        $sb->stop();
    }

    public function testFaultsAtARateLeaveTheClientUsable(): void
    {
        $sb = Sandbox::start(['--fault', 'storm', '--fault-rate', '0.5', '--stall-ms', '5000', '--seed', '7']);
        $jc = new Client('demo', $sb->secret, $sb->options(['timeout_ms' => 1500]));
        $ok = $failed = 0;
        for ($i = 0; $i < 30; $i++) {
            try {
                $jc->call('SandboxEcho', ['i' => $i]);
                $ok++;
            } catch (TransportException | TimeoutException | HttpStatusException $e) {
                $failed++;
            }
        }
        self::assertSame(30, $ok + $failed);
        self::assertGreaterThan(0, $ok);
        self::assertGreaterThan(0, $failed);
        $sb->stop();
    }

    public function testWrongSecretIsABadSignature(): void
    {
        // The server answers "incorrect hash" (error 4) signed with ITS secret;
        // with ours the answer does not verify, so nothing in it is trusted.
        $sb = self::sandbox();
        $jc = new Client('demo', 'not-the-secret', $sb->options());
        $e = self::thrown(BadSignatureException::class, fn () => $jc->deleteOrder('1111'));
        self::assertStringNotContainsString('not-the-secret', $e->getMessage());
        self::assertStringNotContainsString($sb->secret, $e->getMessage());
    }

    public function testWrongLoginIsApiError4(): void
    {
        // The request hash covers the login, the answer's hash does not: the
        // server's signed "incorrect hash" verifies, so it is an API error.
        $sb = self::sandbox();
        $jc = new Client('other', $sb->secret, $sb->options());
        $e = self::thrown(ApiException::class, fn () => $jc->getBills('client@example.com'));
        self::assertSame(4, $e->getCode());
        self::assertSame('incorrect hash', $e->getMessage());
    }

    public function testConnectionRefusedIsTransport(): void
    {
        $sb = Sandbox::start();
        $url = $sb->baseUrl;
        $sb->stop();
        $jc = new Client('demo', 's', ['lib' => Sandbox::lib(), 'base_url' => $url]);
        $e = self::thrown(TransportException::class, fn () => $jc->deleteOrder('1111'));
        self::assertStringContainsString('refused', $e->getMessage());
    }

    public function testPanicInsideTheLibraryIsPanicException(): void
    {
        // jc_test_panic (built with the test-hooks feature only, so not in the
        // shipped library under test) panics inside libjustclick's
        // boundary; its document becomes PanicException.
        $ffi = FFI::cdef('typedef uint32_t jc_status; jc_status jc_test_panic(char **out_json); void jc_string_free(char *s);', Sandbox::hooksLib());
        $out = $ffi->new('char*');
        $status = $ffi->jc_test_panic(FFI::addr($out));
        self::assertSame(9, $status);
        self::assertFalse(FFI::isNull($out));
        $json = FFI::string($out);
        $ffi->jc_string_free($out);
        $e = Outcome::exception(Outcome::decode($json));
        self::assertInstanceOf(PanicException::class, $e);
        self::assertInstanceOf(\RuntimeException::class, $e);
        self::assertStringContainsString('deliberate test panic', $e->getMessage());
    }

    public function testEveryStatusMapsToItsClass(): void
    {
        $cases = [
            'null_argument' => InvalidArgumentException::class,
            'invalid_argument' => InvalidArgumentException::class,
            'transport' => TransportException::class,
            'timeout' => TimeoutException::class,
            'http_status' => HttpStatusException::class,
            'bad_response' => BadResponseException::class,
            'bad_signature' => BadSignatureException::class,
            'api' => ApiException::class,
            'panic' => PanicException::class,
            'from-the-future' => LibraryException::class,
        ];
        foreach ($cases as $status => $class) {
            $e = Outcome::exception([
                'ok' => false,
                'status' => $status,
                'message' => 'm',
                'error_code' => 8,
                'error_text' => 'limit',
                'http_status' => 502,
            ]);
            self::assertSame($class, get_class($e), $status);
            self::assertInstanceOf(\JustClick\ExceptionInterface::class, $e);
        }
        self::assertInstanceOf(\InvalidArgumentException::class, Outcome::exception(['status' => 'invalid_argument']));
        self::assertStringContainsString('bug in the PHP binding', Outcome::exception(['status' => 'null_argument', 'message' => 'client is NULL'])->getMessage());
        $api = Outcome::exception(['status' => 'api', 'message' => 'JustClick API error 8: limit', 'error_code' => 8, 'error_text' => 'limit']);
        self::assertSame(8, $api->getCode());
        self::assertSame('limit', $api->getMessage());
        $http = Outcome::exception(['status' => 'http_status', 'message' => 'HTTP status 502', 'http_status' => 502]);
        self::assertSame(502, $http->getHttpStatus());
        self::assertStringContainsString('from-the-future', Outcome::exception(['status' => 'from-the-future'])->getMessage());
        self::thrown(BadResponseException::class, fn () => Outcome::decode('not json'));
        self::thrown(BadResponseException::class, fn () => Outcome::decode('"a string"'));
    }
}
