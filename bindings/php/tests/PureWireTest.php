<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\BadResponseException;
use JustClick\BadSignatureException;
use JustClick\InvalidArgumentException;
use JustClick\Pure\Table;
use JustClick\Pure\Wire;
use JustClick\Tests\Support\Sandbox;

/**
 * The pure-PHP engine's wire rules (JustClick\Pure\Wire) against API.md's
 * vectors, against PHP's own http_build_query, and against the library:
 * the same bytes the FFI engine sends (the sandbox's last_body) and the
 * same refusal messages.
 *
 * About the FFI engine, or drives both engines itself: run once.
 *
 * @group once
 */
final class PureWireTest extends TestCase
{
    private const LOGIN = 'username';
    private const SECRET = 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX';

    public function testApiMdRequestVectors(): void
    {
        $cases = [
            [['bill_id' => 1111], 'bill_id=1111', '47d890b61dcad113dee75f57f69be233'],
            [
                ['bill_id' => '100000', 'status' => 'sent', 'date' => 1362254400, 'rpo' => '10000000000000'],
                'bill_id=100000&status=sent&date=1362254400&rpo=10000000000000',
                '92cea5ba30b463b8c3b234e3d2945e65',
            ],
            [['email' => 'client@example.com', 'pay_status' => 'paid'], 'email=client%40example.com&pay_status=paid', '2c3d9dc223ab2bb2f88d960e6746743e'],
            [['comment' => 'a*b'], 'comment=a%2Ab', '1df2230ce1a1d2842fa6cda0181ef840'],
            [['comment' => '~user'], 'comment=%7Euser', 'f2635528a785d7704cfb1f135ead3c49'],
            [
                ['lead_name' => 'Иван Петров'],
                'lead_name=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2',
                '8f0c516ad3ddb8f03071a1e209f14d33',
            ],
            [['comment' => 'hi 😀'], 'comment=hi+%F0%9F%98%80', 'b89763c2b5336d21b9b312b348956259'],
            [['comment' => '', 'x' => null, 'bill_id' => 1], 'comment=&bill_id=1', '66a71371a113454c5ceeb0a5175eecb4'],
        ];
        foreach ($cases as [$params, $body, $hash]) {
            self::assertSame($body, Wire::encode($params));
            self::assertSame($hash, Wire::requestHash($body, self::LOGIN, self::SECRET));
            self::assertSame("$body&hash=$hash", Wire::signedBody($body, self::LOGIN, self::SECRET));
        }
    }

    public function testApiMdResponseVectors(): void
    {
        $cases = [
            [0, 'OK', 'cf2b10a8fd707c6d14f496e19503b0a1'],
            [4, 'incorrect hash', 'b8f771a9288da73672a86714fb3ebb68'],
            [1, 'Ошибка авторизации', 'ae94b656f03a4d9fc89159cfa1d4329d'],
            [0, 'Заказ удален', 'a4d452d0be692c65e35717d481cd1ffb'],
        ];
        foreach ($cases as [$code, $text, $hash]) {
            self::assertSame($hash, Wire::responseHash((string) $code, $text, self::SECRET));
            // As PHP's json_encode sends it (\uXXXX escapes), and with the code as a string.
            $body = json_encode(['error_code' => $code, 'error_text' => $text, 'hash' => $hash]);
            self::assertSame($code, Wire::verifyAnswer((string) $body, self::SECRET)['code']);
            $body = json_encode(['error_code' => (string) $code, 'error_text' => $text, 'hash' => $hash]);
            self::assertSame($text, Wire::verifyAnswer((string) $body, self::SECRET)['text']);
        }
    }

    public function testAnswersThatMustNotBeTrusted(): void
    {
        $ok = 'cf2b10a8fd707c6d14f496e19503b0a1';
        // PHP's == would take these two magic hashes for equal; hash_equals does not.
        self::thrown(BadSignatureException::class, fn () => Wire::verifyAnswer(
            '{"error_code":0,"error_text":"OK","hash":"0e462097431906509019562988736854"}',
            self::SECRET
        ));
        self::thrown(BadSignatureException::class, fn () => Wire::verifyAnswer(
            '{"error_code":0,"error_text":"OK","hash":"' . strtoupper($ok) . '"}',
            self::SECRET
        ));
        self::thrown(BadSignatureException::class, fn () => Wire::verifyAnswer('{"error_code":0,"error_text":"OK"}', self::SECRET));
        self::thrown(BadSignatureException::class, fn () => Wire::verifyAnswer('{"error_code":0,"error_text":"OK","hash":1}', self::SECRET));
        foreach (['<html>502</html>', '', '[1,2]', '{"error_code":"x","error_text":"OK","hash":"a"}', '{"error_code":0,"hash":"a"}', "\xff\xfe"] as $body) {
            self::thrown(BadResponseException::class, fn () => Wire::verifyAnswer($body, self::SECRET));
        }
    }

    /** Random values: the same bytes as PHP's http_build_query at precision 14. */
    public function testRandomParamsEncodeAsHttpBuildQuery(): void
    {
        $old = ini_get('precision');
        mt_srand(18);
        try {
            for ($n = 0; $n < 2000; $n++) {
                $params = [];
                for ($k = 0, $m = mt_rand(1, 6); $k < $m; $k++) {
                    $params['k' . $k . self::randomKeyTail()] = self::randomValue(0);
                }
                ini_set('precision', '14');
                $want = http_build_query($params);
                // The pure engine must not depend on php.ini.
                ini_set('precision', (string) mt_rand(1, 17));
                self::assertSame($want, Wire::encode($params), var_export($params, true));
            }
        } finally {
            ini_set('precision', (string) $old);
        }
    }

    /** The same bytes on the wire as the library sends (FFI engine). */
    public function testTheSameBodyAsTheLibrarySends(): void
    {
        $sb = self::sandbox();
        $jc = self::client();
        mt_srand(19);
        for ($n = 0; $n < 60; $n++) {
            $params = ['k' => self::randomValue(0), 'z' . $n => self::randomValue(1)];
            $jc->call('SandboxEcho', $params);
            $body = Wire::encode($params);
            self::assertSame(
                Wire::signedBody($body, Sandbox::LOGIN, $sb->secret),
                $sb->stats()['last_body'],
                var_export($params, true)
            );
        }
        // Whole floats of 1e14 and more, which JSON would turn into integers:
        // as PHP's http_build_query writes them, through both engines.
        $params = ['a' => 1e15, 'b' => [206445153832105.0, -1e14, 99999999999999.0], 'c' => ['d' => 1e300]];
        $jc->call('SandboxEcho', $params);
        self::assertSame(self::phpBody($params, $sb), $sb->stats()['last_body']);
        self::assertStringContainsString('a=1.0E%2B15&', $sb->stats()['last_body']);
        self::assertSame(self::phpBody($params, $sb), Wire::signedBody(Wire::encode($params), Sandbox::LOGIN, $sb->secret));
        $jc->callBatch([['method' => 'SandboxEcho', 'params' => $params]]);
        self::assertSame(self::phpBody($params, $sb), $sb->stats()['last_body']);
    }

    /** Refusals with the library's own messages. */
    public function testRefusalsMatchTheLibrarysMessages(): void
    {
        $jc = self::client();
        $bad = [
            ['a.b' => 1],
            ['a b' => 1],
            ['a[b]' => 1],
            ['hash' => 'x'],
            ['' => 'x'],
            ["a\x01" => 'x'],
            ['utm' => ['__Host-x' => 'y']],
            ['utm' => ['__Secure-x' => 'y']],
            ['u' => [' ' => 'y']],
            ['u' => ['a]' => 'y']],
            ['deep' => self::nested(40)],
            ['many' => range(1, 1000)],
        ];
        foreach ($bad as $params) {
            $lib = self::thrown(InvalidArgumentException::class, fn () => $jc->call('SandboxEcho', $params));
            $pure = self::thrown(InvalidArgumentException::class, fn () => Wire::encode($params));
            self::assertSame($lib->getMessage(), $pure->getMessage(), var_export(array_keys($params), true));
        }
        // Not finite: both refuse before any traffic (the FFI engine already
        // in json_encode, with PHP's message).
        foreach ([['f' => INF], ['g' => ['h' => NAN]]] as $params) {
            self::thrown(InvalidArgumentException::class, fn () => $jc->call('SandboxEcho', $params));
            $pure = self::thrown(InvalidArgumentException::class, fn () => Wire::encode($params));
            self::assertStringContainsString('is not a finite number', $pure->getMessage());
        }
    }

    public function testTheTableIsTheLibrarysTable(): void
    {
        // The generated data file (drift-checked by tests/generated.rs) holds
        // every method of the README's table.
        self::assertArrayHasKey('getOrdersWithGoods', Table::METHODS);
        self::assertSame('date_range', Table::METHODS['getOrdersWithGoods']['special']);
        self::assertSame('existing_order', Table::METHODS['CreateOrder']['special']);
        self::assertTrue(Table::METHODS['UpdateGood']['idempotent']);
        self::assertFalse(Table::METHODS['CreateOrder']['idempotent']);
        self::assertSame([true, 'email'], Table::METHODS['GetBills']['params']['email']);
        self::assertArrayHasKey('good_partner_SL_link', Table::GOOD_FIELDS);
        self::assertSame(['enum', ['none', 'quickpost', 'rps']], Table::GOOD_FIELDS['good_post_service']);
    }

    private static function randomKeyTail(): string
    {
        $chars = ['a', 'Z', '9', '_', '-', '~', '*', '(', "'", '%', '+', 'Я', '😀'];
        $s = '';
        for ($i = 0, $n = mt_rand(0, 3); $i < $n; $i++) {
            $s .= $chars[mt_rand(0, count($chars) - 1)];
        }
        return $s;
    }

    /**
     * @param bool $bigWholeFloats include whole floats >= 1e14, which PHP
     *                             writes with an exponent (the FFI engine
     *                             hands them to the library as PHP's text,
     *                             JSON would make them integers)
     */
    private static function randomValue(int $depth, bool $bigWholeFloats = true): mixed
    {
        switch (mt_rand(0, $depth < 2 ? 7 : 5)) {
            case 0:
                return mt_rand(-1000000, 1000000);
            case 1:
                $floats = [0.1 + 0.2, 1e-7, -0.0, 100.0, 1.5, mt_rand() / 7, -mt_rand() * 1e10, 1e300];
                if ($bigWholeFloats) {
                    $floats[] = 206445153832105.0;
                    $floats[] = 1e15;
                }
                return $floats[mt_rand(0, count($floats) - 1)];
            case 2:
                return (bool) mt_rand(0, 1);
            case 3:
                return null;
            case 4:
            case 5:
                $s = '';
                for ($i = 0, $n = mt_rand(0, 8); $i < $n; $i++) {
                    $s .= mt_rand(0, 3) === 0 ? chr(mt_rand(0x20, 0x7e)) : ['é', 'ж', '€', ' ', '&', '=', '#', '😀'][mt_rand(0, 7)];
                }
                return $s;
            case 6:
                $list = [];
                for ($i = 0, $n = mt_rand(0, 3); $i < $n; $i++) {
                    $list[] = self::randomValue($depth + 1, $bigWholeFloats);
                }
                return $list;
            default:
                $map = [];
                for ($i = 0, $n = mt_rand(0, 3); $i < $n; $i++) {
                    $map['m' . $i . self::randomKeyTail()] = self::randomValue($depth + 1, $bigWholeFloats);
                }
                return $map;
        }
    }

    /** @return array<string, mixed> */
    private static function nested(int $levels): array
    {
        $v = ['x' => 1];
        for ($i = 0; $i < $levels; $i++) {
            $v = ['x' => $v];
        }
        return $v;
    }
}
