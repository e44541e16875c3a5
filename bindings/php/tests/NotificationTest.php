<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\BadSignatureException;
use JustClick\Client;
use JustClick\InvalidArgumentException;
use JustClick\Notification;

/**
 * verifyNotification() over the vectors real PHP generated
 * (tests/data/notify_vectors.jsonl), and the example receiver.
 */
final class NotificationTest extends TestCase
{
    /** @return array<string, array{0: array<string, mixed>}> */
    public static function vectors(): array
    {
        $out = [];
        $file = dirname(__DIR__, 3) . '/tests/data/notify_vectors.jsonl';
        foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [] as $line) {
            $v = json_decode($line, true, 64, JSON_THROW_ON_ERROR);
            $out[$v['name']] = [$v];
        }
        return $out;
    }

    private static function clientWith(string $secret): Client
    {
        // No traffic: the sandbox's address only makes a valid client.
        return new Client(\JustClick\Tests\Support\Sandbox::LOGIN, $secret, self::sandbox()->options());
    }

    /**
     * @dataProvider vectors
     *
     * @param array<string, mixed> $v
     */
    public function testVector(array $v): void
    {
        $jc = self::clientWith($v['secret']);
        $error = $v['error'] ?? null;
        if ($error === null) {
            $n = $jc->verifyNotification($v['body']);
            self::assertInstanceOf(Notification::class, $n);
            self::assertSame($v['event'], $n->event);
            self::assertSame($v['verified'], $n->verified);
            self::assertSame($v['hash_rule'], $n->hashRule);
            self::assertSame($v['fields'], $n->fields);
            self::assertSame($v['fields']['email'] ?? null, $n->email());
            return;
        }
        $class = ['bad_signature' => BadSignatureException::class, 'invalid_argument' => InvalidArgumentException::class][$error];
        $e = self::thrown($class, static fn () => $jc->verifyNotification($v['body']));
        self::assertStringNotContainsString($v['secret'], $e->getMessage());
    }

    public function testAccessorsAndBinaryBodies(): void
    {
        $secret = 'pH7-api-key-0123456789abcdefABCDEF012345';
        $jc = self::clientWith($secret);
        $hash = md5('7' . 'a@b.ru' . '1700000000' . $secret);
        $body = "id=7&email=a%40b.ru&paid=1700000000&items[0][id]=15&items[0][sum]=10&utm[source]=ya&hash=$hash";
        $n = $jc->verifyNotification($body);
        self::assertSame('payment', $n->event);
        self::assertTrue($n->verified);
        self::assertSame('documented', $n->hashRule);
        self::assertSame('7', $n->id());
        self::assertSame(1700000000, $n->paid());
        self::assertNull($n->created());
        self::assertSame([['id' => '15', 'sum' => '10']], $n->items());
        self::assertSame(['source' => 'ya'], $n->utm());
        // Tampered: a signed field changed.
        self::thrown(BadSignatureException::class, static fn () => $jc->verifyNotification(str_replace('id=7', 'id=8', $body)));
        // A NUL byte is data (passed with its length), not the end of the body.
        self::thrown(BadSignatureException::class, static fn () => $jc->verifyNotification($body . "\0"));
        self::thrown(InvalidArgumentException::class, static fn () => $jc->verifyNotification(''));
        self::thrown(InvalidArgumentException::class, static fn () => $jc->verifyNotification("\xff\xfe"));
    }

    public function testExampleReceiverAnswers200Or403(): void
    {
        $vectors = self::vectors();
        $good = $vectors['payment documented'][0];
        $tampered = $vectors['payment tampered id'][0];
        $log = tempnam(sys_get_temp_dir(), 'jc-notify-');
        self::assertIsString($log);
        // A free loopback port for PHP's built-in server.
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        self::assertIsResource($probe);
        $port = (int) substr((string) strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $env = [
            'PATH' => (string) getenv('PATH'),
            'JUSTCLICK_LIB' => \JustClick\Tests\Support\Sandbox::lib(),
            'JUSTCLICK_LOGIN' => 'demo',
            'JUSTCLICK_SECRET' => $good['secret'],
            'JUSTCLICK_NOTIFY_LOG' => $log,
        ];
        $proc = proc_open(
            [PHP_BINARY, '-d', 'ffi.enable=1', '-S', "127.0.0.1:$port", dirname(__DIR__, 3) . '/examples/php/notify-receiver.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
            null,
            $env
        );
        self::assertIsResource($proc);
        try {
            self::awaitListener($port);
            $post = static function (string $body) use ($port): array {
                $ctx = stream_context_create(['http' => [
                    'method' => 'POST',
                    'header' => "Content-Type: application/x-www-form-urlencoded\r\n",
                    'content' => $body,
                    'ignore_errors' => true,
                    'proxy' => '',
                ]]);
                $answer = (string) file_get_contents("http://127.0.0.1:$port/", false, $ctx);
                /** @var list<string> $http_response_header */
                preg_match('/^HTTP\/\S+ (\d+)/', $http_response_header[0] ?? '', $m);
                return [(int) ($m[1] ?? 0), $answer];
            };
            self::assertSame([200, 'OK'], $post($good['body']));
            self::assertSame([403, 'Forbidden'], $post($tampered['body']));
            self::assertSame(400, $post('a=1')[0]);
            $lines = (string) file_get_contents($log);
            self::assertStringContainsString('payment verified (documented) order=100125', $lines);
            self::assertStringContainsString('REJECTED (bad signature)', $lines);
            self::assertStringNotContainsString($good['secret'], $lines);
        } finally {
            proc_terminate($proc);
            proc_close($proc);
            @unlink($log);
        }
    }
}
