<?php

declare(strict_types=1);

namespace JustClick\Tests;

use FFI;
use JustClick\ApiException;
use JustClick\BadResponseException;
use JustClick\BadSignatureException;
use JustClick\InvalidArgumentException;
use JustClick\Library;
use JustClick\Outcome;
use JustClick\Pure\Range;
use JustClick\Pure\Response;
use JustClick\Tests\Support\Sandbox;

/**
 * The pure-PHP engine's answer handling (JustClick\Pure\Response, Range)
 * against the library itself: a fake service on PHP's built-in server
 * sends each body byte for byte, the library (through FFI, jc_call,
 * jc_<snake> and the legacy functions) reads it, and the FFI engine's
 * document or exception must be exactly what the pure engine makes of the
 * same body: same class, message, code, and the same values (compared
 * with serialize(), so -0.0, 1.0 and big integers count).
 */
final class PureResponseTest extends TestCase
{
    private const SECRET = 'pure-response-secret-0123456789abcdefXYZ';
    private const LOGIN = 'demo';

    private static ?FFI $ffi = null;

    private static ?\FFI\CData $client = null;

    /** @var resource|null */
    private static $server = null;

    private static string $dir = '';

    private static int $compared = 0;

    public static function setUpBeforeClass(): void
    {
        $dir = sys_get_temp_dir() . '/jc-pure-response-' . bin2hex(random_bytes(6));
        mkdir($dir);
        self::$dir = $dir;
        file_put_contents("$dir/router.php", <<<'PHP'
            <?php
            $dir = getenv('PURE_DIR');
            $in = (string) file_get_contents('php://input');
            file_put_contents("$dir/log", json_encode([$_SERVER['REQUEST_URI'], $in]) . "\n", FILE_APPEND);
            parse_str($in, $form);
            $map = is_file("$dir/map") ? json_decode((string) file_get_contents("$dir/map"), true) : [];
            $key = is_string($form['begin_date'] ?? null) ? $form['begin_date'] : '';
            header('Content-Type: application/json');
            echo file_get_contents("$dir/" . ($map[$key] ?? 'body'));
            PHP);
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        self::assertIsResource($probe);
        $port = (int) substr((string) strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $proc = proc_open(
            [PHP_BINARY, '-S', "127.0.0.1:$port", "$dir/router.php"],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
            null,
            ['PATH' => (string) getenv('PATH'), 'PURE_DIR' => $dir]
        );
        self::assertIsResource($proc);
        self::$server = $proc;
        self::awaitListener($port);
        $ffi = Library::fromPath(Sandbox::lib());
        $handle = $ffi->new('jc_client*');
        self::assertNotNull($handle);
        $options = json_encode([
            'base_url' => "http://127.0.0.1:$port",
            'persistent' => false,
            'proxy' => '',
            'timeout_ms' => 20000,
        ]);
        $status = $ffi->jc_client_new(self::LOGIN, self::SECRET, $options, FFI::addr($handle));
        self::assertSame(0, $status, (string) $ffi->jc_last_error_message());
        self::$ffi = $ffi;
        self::$client = $handle;
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$ffi !== null && self::$client !== null) {
            self::$ffi->jc_client_free(self::$client);
        }
        self::$client = null;
        if (self::$server !== null) {
            proc_terminate(self::$server);
            proc_close(self::$server);
            self::$server = null;
        }
        foreach (glob(self::$dir . '/*') ?: [] as $f) {
            unlink($f);
        }
        @rmdir(self::$dir);
    }

    // ---- Hand-made bodies ----

    public function testSignedAnswersAndTheirValues(): void
    {
        foreach ([
            '{"error_code":0,"error_text":"OK","result":null}',
            '{"error_code":0,"error_text":"OK"}',
            '{"error_code":"0","error_text":"OK","result":[1,2,3]}',
            '{"error_code":"007","error_text":"x","result":1}',
            '{"error_code":"-0","error_text":"x","result":1}',
            '{"error_code":0,"error_text":"\u0417\u0430\u043a\u0430\u0437 \u0443\u0434\u0430\u043b\u0435\u043d","result":{"url":"https:\/\/x"}}',
            '{"error_code":0,"error_text":"OK","result":[-0,-0.0,0,1.0,1e2,1E2,1e+2,1.5e-7,0.1,100000000000000000000000]}',
            '{"error_code":0,"error_text":"OK","result":[9223372036854775807,9223372036854775808,18446744073709551615,18446744073709551616]}',
            '{"error_code":0,"error_text":"OK","result":[-9223372036854775808,-9223372036854775809,-18446744073709551616]}',
            '{"error_code":0,"error_text":"OK","result":[1e-400,-1e-400,0e99999999999,0.000e99999999999,1e-99999999999,5e-324,2.4703282292062328e-324]}',
            '{"error_code":0,"error_text":"OK","result":[1.7976931348623157e308,123456789012345678901234567890.5,0.30000000000000004]}',
            '{"error_code":0,"error_text":"OK","result":{"a":1,"b":2,"a":3,"":4,"1":5,"01":6,"-1":7,"-0":8}}',
            '{"error_code":0,"error_text":"OK","result":{"\u0000k":"\u0000v","\ud83d\ude00":"\ud83d\ude00","é":"\u00e9\/"}}',
            '{"error_code":0,"error_text":"OK","result":{"$serde_json::private::RawValue":"[1,{\"a\":-0}]"}}',
            '{"error_code":0,"error_text":"OK","result":[{"$serde_json::private::RawValue":"\"s\""},{"x":1,"$serde_json::private::RawValue":"2"}]}',
            '{"error_code":0,"error_text":"OK","result":{"$serde_json::private::RawValue":"{\"$serde_json::private::RawValue\":\"1e5\"}"}}',
            "{\"error_code\":0,\"error_text\":\"OK\",\"result\":\"\x7f \xc2\x85 \xe2\x80\xa8\"}",
            '{"error_code":0,"error_text":"OK","result":' . str_repeat('[', 126) . str_repeat(']', 126) . '}',
            '{"error_code":0,"error_text":"OK","result":' . str_repeat('{"a":', 126) . '1' . str_repeat('}', 126) . '}',
            '  {"result":{"z":[]},"extra":{"nested":[1,{"q":"\ud800"}]},"error_text":"OK","error_code":0}  ',
            '{"error_code":601,"error_text":"Order already exist","result":{"bill_id":"1111"}}',
            '{"error_code":601,"error_text":"Order already exist","result":{"bill_id":1111}}',
            '{"error_code":601,"error_text":"Order already exist","result":{"bill_id":""}}',
            '{"error_code":601,"error_text":"Order already exist","result":[1111]}',
            '{"error_code":601,"error_text":"Order already exist"}',
            '{"error_code":400,"error_text":"Заказы не найдены","result":"not parsed \ud800"}',
            '{"error_code":102,"error_text":"The subscriber is already registered"}',
            '{"error_code":0,"error_text":"The subscriber is already registered","result":null}',
            '{"error_code":0,"error_text":"  the SUBSCRIBER is  already registered.!. "}',
            '{"error_code":0,"error_text":"Has an invalid subscriptions group"}',
            '{"error_code":0,"error_text":"Subscriber added. Activation email not sent."}',
            '{"error_code":0,"error_text":"O\u212a"}',
            '{"error_code":0,"error_text":"Подписчик уже зарегистрирован"}',
            '{"error_code":0,"error_text":""}',
            '{"error_code":0,"error_text":"OK","result":{"5":{"1":{"good_name":"x"}},"7":[],"8":[{"a":1}]}}',
            '{"error_code":0,"error_text":"OK","result":[[],{"1":{}}]}',
            '{"error_code":0,"error_text":"OK","result":[]}',
            '{"error_code":0,"error_text":"OK","result":"x"}',
            '{"error_code":0,"error_text":"OK","result":{"1":5}}',
            '{"error_code":0,"error_text":"OK","result":{"1":18446744073709551615}}',
            '{"error_code":0,"error_text":"OK","result":18446744073709551615}',
            '{"error_code":0,"error_text":"OK","result":true}',
            '{"error_code":0,"error_text":"OK","result":"a \"quoted\" \u0001 string with more than sixty characters in it, so it is cut"}',
            '{"error_code":0,"error_text":"OK","result":1.5}',
            '{"error_code":9,"error_text":"\u041e\u0448\u0438\u0431\u043a\u0430"}',
        ] as $body) {
            $this->compareEverywhere(self::sign($body));
        }
    }

    public function testUnsignedAndWronglySignedAnswers(): void
    {
        $ok = md5('0::OK::' . self::SECRET);
        $h5 = md5('5::Invalid user name::');
        foreach ([
            '{"error_code":0,"error_text":"OK"}',
            '{"error_code":0,"error_text":"OK","hash":5}',
            '{"error_code":0,"error_text":"OK","hash":null}',
            '{"error_code":0,"error_text":"OK","hash":[]}',
            '{"error_code":0,"error_text":"OK","hash":{}}',
            '{"error_code":0,"error_text":"OK","hash":true}',
            '{"error_code":0,"error_text":"OK","hash":"' . strtoupper($ok) . '"}',
            '{"error_code":0,"error_text":"OK","hash":"0e462097431906509019562988736854"}',
            '{"error_code":0,"error_text":"OK","hash":"' . substr($ok, 0, 31) . '"}',
            '{"error_code":4,"error_text":"incorrect hash","hash":"' . $ok . '"}',
            '{"error_code":0,"error_text":"Заказ удален","hash":"' . $ok . '"}',
            '{"error_code":5,"error_text":"Invalid user name","hash":"' . $h5 . '"}',
            '{"error_code":"5","error_text":"Invalid user name","hash":"' . $h5 . '"}',
            '{"error_code":5,"error_text":"Invalid user name","hash":"' . $ok . '"}',
            '{"error_code":0,"error_text":"OK","hash":"' . md5('0::OK::') . '"}',
            '{"error_code":4,"error_text":"incorrect hash","hash":"' . md5('4::incorrect hash::') . '"}',
            '{"error_code":0,"hash":"' . $ok . '"}',
            '{"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":null,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":0,"error_text":null,"hash":"' . $ok . '"}',
            '{"error_code":0,"error_text":7,"hash":"' . $ok . '"}',
            '{"error_code":0,"error_text":["OK"],"hash":"' . $ok . '"}',
            '{"error_code":"x","error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":"","error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":"+0","error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":"1234567890123456789","error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":"' . str_repeat('\\u0001ж', 50) . '","error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":1.5,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":1.0,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":-0,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":1e400,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":1e21,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":9223372036854775808,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":-9223372036854775809,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":true,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":[0],"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":0,"error_text":"\ud800","hash":"' . $ok . '"}',
            '{"error_code":0,"error_text":"OK","hash":"\udc00"}',
            '{"error_code":"\ud800\u0041","error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":"\ud800"}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":1e400}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":[1,-1e99999999999]}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":{"$serde_json::private::RawValue":5}}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":{"$serde_json::private::RawValue":-1.5e300}}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":{"$serde_json::private::RawValue":[1]}}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":{"$serde_json::private::RawValue":null}}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":{"$serde_json::private::RawValue":"[1,]"}}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":{"$serde_json::private::RawValue":"1","b":2}}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":{"$serde_json::private::RawValue":"1" "b"}}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","hash":"' . $ok . '"}',
            '{"hash":null,"error_code":0,"error_text":"OK","hash":"' . $ok . '"}',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result" }',
            '{"error_code":0,"error_text":"OK","hash":"' . $ok . '","result":1,"result":2}',
            '{"\ud800":1,"error_code":0,"error_text":"OK","hash":"' . $ok . '"}',
        ] as $body) {
            $this->compareEverywhere($body);
        }
    }

    public function testBodiesThatAreNotAnswers(): void
    {
        $ok = md5('0::OK::' . self::SECRET);
        $bodies = [
            '', ' ', "\n\n", '<html><body>502</body></html>', "  \n<!DOCTYPE html><p>hi", 'null', 'true', '12', '-1.5',
            '"string"', '[1,2]', '["' . $ok . '",0,"OK"]', '{', '{"', '{"a"', '{"a":', '{"a":1', '{"a":1,', '{"a":1,}', '{,}',
            '{"a" 1}', '{1:2}', '{"a":1}}', '{"a":1} x', '{"a":[1,]}', '{"a":[1 2]}', '{"a":nul}', '{"a":nulL}', '{"a":tru',
            '{"a":01}', '{"a":1.}', '{"a":1.e5}', '{"a":1e}', '{"a":1e+}', '{"a":-}', '{"a":-a}', '{"a":.5}', '{"a":+1}',
            '{"a":"\x"}', '{"a":"\u12"}', '{"a":"\u12g4"}', "{\"a\":\"tab\there\"}", "{\"a\":\"nl\nhere\"}",
            '{"a":"unterminated', '{"a":"\\', "\xc2\xa0{}", "\xef\xbb\xbf{}", "{\"a\":\"\xff\xfe\"}", "\xff",
            "{\"a\":\"Ж\xd0\"}", str_repeat('é', 39) . "\xd0", '{"a":1}' . "\x00", "{\n\"a\":\n1,\n\"b\"\n:\n}",
            str_repeat('[', 129) . str_repeat(']', 129), str_repeat('[', 128) . str_repeat(']', 128),
            '{"a":' . str_repeat('[', 127) . str_repeat(']', 127) . '}', '{"a":' . str_repeat('{"b":', 128),
            '["' . str_repeat('[', 500) . '\"' . str_repeat('{', 500) . '"]', '"\\',
            '"' . str_repeat('x', 5000) . '" junk', '<' . str_repeat('ы', 100),
            '{"a":"\ud800"}', '{"a":1e400}', '{"a' . "\x01" . '":1}', '{"a":{"b":[1,{"c":}]}}',
            '{"result":1,"result":2,"error_code":0}', '{"error_code":0,"error_code":0}',
            '{"error_text":"' . str_repeat('A', 100) . '","error_text":"x"}', "{\"hash\":1\n,\n\"hash\"  \n }",
            '{"hash" :1, "hash"}', '{"\ud800":1}', '{"ok":"\udc00"}',
            "not json: x\u{301}y \u{ad} \u{2028} \u{e000} \u{a0}x \u{378} \u{85} \u{200b} \"\\ \u{1F600}\u{fe0f} \u{a0}",
            "\u{3000}\u{a0}<p>\u{2003}", "{\"a\":\u{2003}1}",
        ];
        foreach ($bodies as $body) {
            $this->compareEverywhere($body);
        }
    }

    public function testTheSecretIsNeverInAMessage(): void
    {
        foreach ([
            '{"error_code":0,"error_text":"OK","hash":"' . str_repeat('0', 32) . '"}',
            '{"error_code":"' . self::SECRET . '","error_text":"OK","hash":"x"}',
        ] as $body) {
            $e = self::thrown(
                str_contains($body, '"x"') ? BadResponseException::class : BadSignatureException::class,
                fn () => Response::answer($body, 'other-secret-value', self::LOGIN)
            );
            self::assertStringNotContainsString('other-secret-value', $e->getMessage());
        }
        $e = self::thrown(BadSignatureException::class, fn () => Response::answer(
            '{"error_code":0,"error_text":"OK","hash":"' . md5('0::OK::' . self::SECRET) . '"}',
            'other-secret-value'
        ));
        self::assertStringContainsString('does not verify', $e->getMessage());
        self::assertStringNotContainsString(self::SECRET, $e->getMessage());
    }

    public function testUnknownLoginNamesTheLogin(): void
    {
        $body = '{"error_code":5,"error_text":"Invalid user name","hash":"' . md5('5::Invalid user name::') . '"}';
        $a = Response::answer($body, self::SECRET, 'shop1');
        self::assertSame(5, $a['code']);
        self::assertStringStartsWith("Invalid user name (login 'shop1' not found", $a['text']);
        $a = Response::answer($body, self::SECRET);
        self::assertStringStartsWith('Invalid user name (login not found', $a['text']);
        $e = self::thrown(ApiException::class, fn () => Response::success(null, $a, 'X'));
        self::assertSame(5, $e->getCode());
        // The library's own wording, through FFI.
        $this->compareEverywhere($body);
    }

    public function testQuoteAndFloatsAsTheLibraryWritesThem(): void
    {
        self::assertSame("'a\\nb'", \JustClick\Pure\Text::quote("a\nb"));
        self::assertSame("'\\u{0}\\u{7f}\\u{85}\\t'", \JustClick\Pure\Text::quote("\0\x7f\u{85}\t"));
        self::assertSame("'" . str_repeat('ж', 60) . "…'", \JustClick\Pure\Text::quote(str_repeat('ж', 100)));
        foreach ([
            [1.0, '1.0'], [-0.0, '-0.0'], [0.0, '0.0'], [1e15, '1000000000000000.0'], [1e16, '1e+16'],
            [1.5e-7, '1.5e-7'], [1e-5, '0.00001'], [0.0001234, '0.0001234'], [123.456, '123.456'],
            [1.7976931348623157e308, '1.7976931348623157e+308'], [5e-324, '5e-324'], [-2.5e20, '-2.5e+20'],
            [1e21, '1e+21'], [123456789012345.6, '123456789012345.6'],
        ] as [$f, $want]) {
            self::assertSame($want, Response::formatFloat($f), var_export($f, true));
        }
        self::assertSame('subscribed', Response::classifyLeadText(' ok! '));
        self::assertSame('unknown', Response::classifyLeadText('OK, but no group'));
    }

    // ---- Seeded random bodies ----

    public function testSeededRandomAnswers(): void
    {
        $seed = (int) (getenv('JUSTCLICK_PURE_SEED') ?: 20240607);
        mt_srand($seed);
        $kinds = [];
        for ($n = 0; $n < 350; $n++) {
            $body = self::randomAnswer();
            $roll = mt_rand(0, 9);
            if ($roll < 3) {
                $body = self::mutate($body);
            }
            $kinds[] = $this->compareEverywhere($body, 2);
        }
        // The random bodies reach every outcome (else the generator rotted).
        $seen = array_count_values($kinds);
        foreach (['ok', BadResponseException::class, BadSignatureException::class, ApiException::class] as $k) {
            self::assertArrayHasKey($k, $seen, "seed $seed: no random body gave $k: " . json_encode($seen));
        }
    }

    public function testShortcutsReadWhatTheExactParserReads(): void
    {
        // json_decode and a skipping regex stand in for the port where they
        // agree with it: both ways must give the same answers and errors.
        $fast = new \ReflectionProperty(Response::class, 'fastPath');
        $fast->setAccessible(true);
        mt_srand(77);
        $slowOnly = 0;
        for ($n = 0; $n < 1500; $n++) {
            $body = self::randomAnswer();
            if (mt_rand(0, 3) === 0) {
                $body = self::mutate($body);
            }
            $got = [];
            foreach ([true, false] as $on) {
                $fast->setValue(null, $on);
                try {
                    $a = Response::answer($body, self::SECRET, self::LOGIN);
                    // The shortcut does not count nesting it knows to be harmless.
                    $a['depth'] = $a['depth'] > 127 ? $a['depth'] : 0;
                    $got[] = serialize($a);
                } catch (\Throwable $e) {
                    $got[] = get_class($e) . ': ' . $e->getMessage();
                }
            }
            $fast->setValue(null, true);
            self::assertSame($got[1], $got[0], self::shown($body));
            $slowOnly += (int) str_contains($body, 'e400');
        }
        self::assertGreaterThan(0, $slowOnly);
    }

    // ---- getOrdersWithGoods ----

    public function testRangePartsAreWhatTheLibrarySends(): void
    {
        $today = Range::todayMoscow();
        foreach ([
            [],
            ['begin_date' => '01.01.2024', 'end_date' => '28.01.2024'],
            ['begin_date' => '01.01.2024', 'end_date' => '29.01.2024', 'paid' => '1'],
            ['paid' => '1', 'end_date' => '15.03.2024', 'begin_date' => '31.12.2023', 'goods' => '7'],
            ['begin_date' => Range::dmy($today - 60)],
            ['begin_date' => Range::dmy($today - 10)],
            ['begin_date' => Range::dmy($today)],
        ] as $params) {
            file_put_contents(self::$dir . '/body', self::sign('{"error_code":400,"error_text":"Заказы не найдены"}'));
            @unlink(self::$dir . '/log');
            $doc = $this->ffiDoc('jc_get_orders_with_goods', [$params === [] ? null : json_encode($params)]);
            $sent = [];
            foreach (file(self::$dir . '/log', FILE_IGNORE_NEW_LINES) ?: [] as $line) {
                [$uri, $form] = json_decode($line, true);
                self::assertSame('/api/getOrdersWithGoods', $uri);
                parse_str($form, $fields);
                unset($fields['hash']);
                $sent[] = $fields;
            }
            $parts = Range::parts($params);
            self::assertSame($sent, $parts, json_encode($params));
            self::assertSame(['ok' => true, 'error_code' => 0, 'error_text' => 'Заказы не найдены', 'result' => []], $doc[0]);
        }
        self::assertCount(3, Range::parts(['begin_date' => '01.01.2024', 'end_date' => '20.03.2024']));
        self::assertCount(4, Range::parts(['begin_date' => '01.01.2024', 'end_date' => '23.03.2024']));
        self::assertSame([[0, 27], [27, 28]], Range::chunks(0, 28));
        self::assertSame('29.02.2024', Range::dmy(Range::daysFromCivil(2024, 2, 29)));
        self::assertNull(Range::parseDmy('30.02.2024'));
        // Moscow's midnight is 21:00 UTC.
        self::assertSame(Range::daysFromCivil(2024, 3, 14), Range::todayMoscow((int) gmmktime(20, 59, 59, 3, 14, 2024)));
        self::assertSame(Range::daysFromCivil(2024, 3, 15), Range::todayMoscow((int) gmmktime(21, 0, 0, 3, 14, 2024)));
    }

    public function testRangeRefusalsAreTheLibrarys(): void
    {
        $tomorrow = Range::dmy(Range::todayMoscow() + 1);
        foreach ([
            ['begin_date' => '02.01.2024', 'end_date' => '01.01.2024'],
            ['begin_date' => $tomorrow],
        ] as $params) {
            [$doc, $e] = $this->ffiDoc('jc_get_orders_with_goods', [json_encode($params)]);
            self::assertNull($doc);
            self::assertInstanceOf(InvalidArgumentException::class, $e);
            $mine = self::thrown(InvalidArgumentException::class, fn () => Range::parts($params));
            self::assertSame($e->getMessage(), $mine->getMessage());
        }
    }

    public function testRangeMergeAndFailingParts(): void
    {
        $params = ['begin_date' => '01.01.2024', 'end_date' => '15.03.2024'];
        $parts = Range::parts($params);
        self::assertCount(3, $parts);
        $chunks = [
            // 01.01 - 28.01, 28.01 - 24.02, 24.02 - 15.03
            [
                ['{"error_code":0,"error_text":"OK","result":[{"id":"2","created":"200"},{"id":"1","created":100},{"email":"a","created":" 5 "}]}'],
                ['{"error_code":0,"error_text":"Found","result":{"x":{"id":"2","created":"200"},"y":{"id":3,"created":"+300"},"z":{"email":"a","created":" 5 "}}}'],
                ['{"error_code":401,"error_text":"none"}'],
            ],
            [
                ['{"error_code":400,"error_text":"Заказы не найдены"}'],
                ['{"error_code":0,"error_text":"OK","result":null}'],
                ['{"error_code":0,"error_text":"Later","result":[{"id":1.0,"created":9223372036854775808},{"id":"1.0"},{"id":true,"created":-5},{"id":true,"created":-5},{"created":"x"}]}'],
            ],
            [
                ['{"error_code":0,"error_text":"OK","result":[{"id":1}]}'],
                ['{"error_code":8,"error_text":"Превышен лимит запросов к API"}'],
                ['{"error_code":0,"error_text":"OK","result":[{"id":2}]}'],
            ],
            [
                ['{"error_code":0,"error_text":"OK","result":[]}'],
                ['{"error_code":0,"error_text":"OK","result":"not orders"}'],
                ['{"error_code":0,"error_text":"OK","result":[]}'],
            ],
            [
                ['{"error_code":0,"error_text":"OK","result":18446744073709551615}'],
                ['{"error_code":0,"error_text":"OK","result":[]}'],
                ['{"error_code":0,"error_text":"OK","result":[]}'],
            ],
            [
                ['{"error_code":0,"error_text":"OK","result":[{"id":1}]}'],
                ['{"error_code":0,"error_text":"OK","hash":"x"}'],
                ['{"error_code":0,"error_text":"OK","result":[{"id":2}]}'],
            ],
        ];
        foreach ($chunks as $bodies) {
            $map = [];
            foreach ($parts as $i => $p) {
                $body = $bodies[$i][0];
                file_put_contents(self::$dir . "/part$i", str_contains($body, '"hash"') ? $body : self::sign($body));
                $map[$p['begin_date']] = "part$i";
            }
            file_put_contents(self::$dir . '/map', json_encode($map));
            @unlink(self::$dir . '/log');
            [$doc, $e] = $this->ffiDoc('jc_get_orders_with_goods', [json_encode($params)]);
            $sentCount = count(file(self::$dir . '/log') ?: []);
            // The pure engine's loop, as Range's documentation says.
            $mine = null;
            $sent = 0;
            try {
                $mine = Range::run($params, static function (array $p) use ($map, &$sent): array {
                    $sent++;
                    return Response::answer(
                        (string) file_get_contents(self::$dir . '/' . $map[$p['begin_date']]),
                        self::SECRET,
                        self::LOGIN
                    );
                });
            } catch (\Throwable $t) {
                $mine = $t;
            }
            self::assertSame($sentCount, $sent, 'parts sent before the failure');
            self::assertSameOutcome([$doc, $e], $mine, json_encode($bodies));
        }
        unlink(self::$dir . '/map');
        // One part: deduplicated, sorted, an object's values, no orders a success.
        foreach ([
            '{"error_code":0,"error_text":"OK","result":{"b":{"id":"2","created":"200"},"a":{"id":"2","created":"1"},"c":{"id":"1","created":"100"}}}',
            '{"error_code":401,"error_text":"none"}',
            '{"error_code":0,"error_text":"OK"}',
            '{"error_code":0,"error_text":"OK","result":false}',
            '{"error_code":0,"error_text":"OK","result":"' . str_repeat('x', 80) . '"}',
            '{"error_code":0,"error_text":"OK","result":1.0}',
            '{"error_code":402,"error_text":"other"}',
        ] as $body) {
            file_put_contents(self::$dir . '/body', self::sign($body));
            $ffi = $this->ffiDoc('jc_get_orders_with_goods', [null]);
            try {
                $mine = Range::result([Range::orders(Response::answer(self::sign($body), self::SECRET, self::LOGIN))]);
            } catch (\Throwable $t) {
                $mine = $t;
            }
            self::assertSameOutcome($ffi, $mine, $body);
        }
        // "1" and 1 are one id, as the library's "id:1" key makes them.
        self::assertSame(
            [['created' => 0], ['id' => '1', 'created' => 5]],
            Range::merge([[['id' => '1', 'created' => 5], ['created' => 0]], [['id' => 1, 'created' => -1], ['created' => 0]]])
        );
    }

    // ---- Helpers ----

    /**
     * Runs one body through several entry points of the library and of the
     * pure engine; returns the kind of outcome of the generic call.
     */
    private function compareEverywhere(string $body, int $entries = 99): string
    {
        file_put_contents(self::$dir . '/body', $body);
        $all = [
            ['jc_call', ['X', null], 'X', true],
            ['jc_call', ['GetBills', null], 'GetBills', true],
            ['jc_call', ['CreateOrder', null], 'CreateOrder', true],
            ['jc_get_bills', ['a@b.ru', null], 'GetBills', false],
            ['jc_delete_order', ['1'], 'DeleteOrder', false],
            ['jc_get_all_goods', [null], 'GetAllGoods', false],
            ['jc_create_order', ['{"goods":[{"good_name":"x"}],"bill_email":"a@b.ru"}'], 'CreateOrder', false],
            ['jc_add_lead_to_group', ['{"rid":["g"],"lead_email":"a@b.ru"}'], 'AddLeadToGroup', false],
            ['jc_get_orders_with_goods', [null], 'getOrdersWithGoods', false],
        ];
        $chosen = $entries >= count($all) ? $all : [$all[0], $all[mt_rand(1, count($all) - 1)]];
        $kind = '';
        foreach ($chosen as [$fn, $args, $method, $generic]) {
            $ffi = $this->ffiDoc($fn, $args);
            try {
                $a = Response::answer($body, self::SECRET, self::LOGIN);
                $mine = $method === 'getOrdersWithGoods'
                    ? Range::result([Range::orders($a)])
                    : ($generic ? Response::success(null, $a, $method) : Response::success($method, $a));
            } catch (\Throwable $t) {
                $mine = $t;
            }
            self::assertSameOutcome($ffi, $mine, "$fn: " . self::shown($body));
            $kind = $kind === '' ? ($ffi[1] === null ? 'ok' : get_class($ffi[1])) : $kind;
        }
        return $kind;
    }

    /**
     * @param array{0: array<array-key, mixed>|null, 1: \Throwable|null} $ffi
     */
    private static function assertSameOutcome(array $ffi, mixed $mine, string $what): void
    {
        self::$compared++;
        [$doc, $e] = $ffi;
        if ($e !== null) {
            self::assertInstanceOf(\Throwable::class, $mine, "$what: the library failed ({$e->getMessage()}), pure gave " . json_encode($mine));
            self::assertSame(
                [get_class($e), $e->getMessage(), $e->getCode()],
                [get_class($mine), $mine->getMessage(), $mine->getCode()],
                $what
            );
            return;
        }
        if ($mine instanceof \Throwable) {
            self::fail("$what: the library succeeded, pure threw " . get_class($mine) . ': ' . $mine->getMessage());
        }
        self::assertSame($doc, $mine, $what);
        self::assertSame(serialize($doc), serialize($mine), "$what (exact values)");
    }

    /**
     * The FFI engine's outcome of one call: its success document, or the
     * exception Client would throw for it.
     *
     * @param list<mixed> $args
     *
     * @return array{0: array<array-key, mixed>|null, 1: \Throwable|null}
     */
    private function ffiDoc(string $fn, array $args): array
    {
        $ffi = self::$ffi;
        self::assertNotNull($ffi);
        $out = $ffi->new('char*');
        self::assertNotNull($out);
        $status = $ffi->$fn(self::$client, ...[...$args, FFI::addr($out)]);
        self::assertFalse(FFI::isNull($out), "$fn wrote no document");
        $json = FFI::string($out);
        $ffi->jc_string_free($out);
        try {
            $doc = Outcome::decode($json);
        } catch (BadResponseException $e) {
            return [null, $e];
        }
        if (($doc['ok'] ?? null) === true) {
            self::assertSame(0, $status);
            return [$doc, null];
        }
        self::assertNotSame(0, $status);
        self::assertNotContains($doc['status'] ?? '', ['transport', 'timeout', 'http_status', 'panic'], $json);
        return [null, Outcome::exception($doc)];
    }

    /** A body with its correct hash added (as the last field), its code and text read as the library reads them. */
    private static function sign(string $body): string
    {
        $string = '"(?:[^"\\\\]|\\\\.)*"';
        self::assertSame(1, preg_match('/"error_code":(' . $string . '|[^,}]+)/', $body, $c), $body);
        self::assertSame(1, preg_match('/"error_text":(' . $string . ')/', $body, $t), $body);
        $code = $c[1][0] === '"' ? json_decode($c[1]) : $c[1];
        $hash = md5($code . '::' . json_decode($t[1]) . '::' . self::SECRET);
        return substr(rtrim($body), 0, -1) . ',"hash":"' . $hash . '"}';
    }

    private static function shown(string $body): string
    {
        $s = strlen($body) > 300 ? substr($body, 0, 300) . '...' : $body;
        return preg_match('//u', $s) === 1 ? $s : 'hex ' . bin2hex($s);
    }

    // ---- The generator ----

    private const NUMBERS = [
        '0', '-0', '1', '-1', '7', '1.0', '-0.0', '0.5', '1e2', '1E+2', '1e-2', '2.5e-5', '100', '601', '1e400', '-1e400',
        '1e-400', '0e99999999999', '1e99999999999', '1e-99999999999', '9223372036854775807', '9223372036854775808',
        '-9223372036854775808', '-9223372036854775809', '18446744073709551615', '18446744073709551616',
        '123456789012345678901234567890', '0.1000000000000000055511151231257827', '1.7976931348623157e308',
        '1.7976931348623159e308', '5e-324', '2.2250738585072011e-308', '0.30000000000000004', '12345.678e-3',
        '1000000000000000000000000000000.5', '0.0000000000000000000000000000001e30',
    ];

    private const STRINGS = [
        '', 'OK', 'x', 'Заказ удален', '\u0417\u0430\u043a\u0430\u0437', '\u0000', '\ud83d\ude00', '\ud800', '\udc00',
        '\ud800\u0041', '\ud800x', '\ud800\\n', '\/', '\"', '\\\\', '\b\f\n\r\t', 'é😀', '\u00e9', '$serde_json::private::RawValue',
        'The subscriber is already registered', 'Has an invalid subscriptions group', '1', '01', '-1', 'id', 'created', 'bill_id',
        '\x', '\u12', "\x7f", "tab\there",
    ];

    private static function randomString(): string
    {
        return '"' . self::STRINGS[mt_rand(0, count(self::STRINGS) - 1)] . '"';
    }

    private static function randomValue(int $depth): string
    {
        $r = mt_rand(0, $depth > 3 ? 5 : 9);
        switch ($r) {
            case 0:
                return 'null';
            case 1:
                return mt_rand(0, 1) === 1 ? 'true' : 'false';
            case 2:
            case 3:
                return self::NUMBERS[mt_rand(0, count(self::NUMBERS) - 1)];
            case 4:
            case 5:
                return self::randomString();
            case 6:
            case 7:
                $items = [];
                for ($k = mt_rand(0, 4); $k > 0; $k--) {
                    $items[] = self::randomValue($depth + 1);
                }
                return '[' . implode(self::ws() . ',' . self::ws(), $items) . ']';
            default:
                $pairs = [];
                $raw = mt_rand(0, 12) === 0;
                if ($raw) {
                    $inner = addcslashes(self::randomValue($depth + 1), '"\\');
                    return '{"$serde_json::private::RawValue":"' . $inner . '"}';
                }
                for ($k = mt_rand(0, 4); $k > 0; $k--) {
                    $pairs[] = self::randomString() . self::ws() . ':' . self::ws() . self::randomValue($depth + 1);
                }
                return '{' . implode(',', $pairs) . '}';
        }
    }

    private static function ws(): string
    {
        return [' ', '', '', '', "\n", "\t", "\r\n  "][mt_rand(0, 6)];
    }

    private static function randomAnswer(): string
    {
        $codes = [0, 0, 0, 601, 400, 401, 5, 102, 8, '"0"', '"601"', '"007"', '"-0"', '1.0', '"x"', 'null'];
        $code = $codes[mt_rand(0, count($codes) - 1)];
        $texts = ['OK', 'Order already exist', 'Invalid user name', 'The subscriber is already registered',
            'Has an invalid subscriptions group', 'Заказы не найдены', '\u041e\u041a', 'x\ud800', 'unknown text', ''];
        $textJson = $texts[mt_rand(0, count($texts) - 1)];
        $text = json_decode('"' . $textJson . '"');
        $codeText = is_string($code) ? (string) json_decode($code) : (string) $code;
        $key = [self::SECRET, self::SECRET, self::SECRET, '', 'wrong'][mt_rand(0, 4)];
        $hash = is_string($text) ? md5($codeText . '::' . $text . '::' . $key) : md5('x');
        $fields = [
            '"error_code":' . $code,
            '"error_text":"' . $textJson . '"',
            '"hash":' . (mt_rand(0, 15) === 0 ? self::randomValue(3) : '"' . $hash . '"'),
        ];
        if (mt_rand(0, 4) > 0) {
            $result = mt_rand(0, 3) === 0
                ? '{"bill_id":' . self::randomValue(3) . '}'
                : self::randomValue(0);
            if (mt_rand(0, 3) === 0) {
                $result = '[' . implode(',', array_map(
                    static fn () => '{"id":' . self::randomValue(4) . ',"created":' . self::randomValue(4) . '}',
                    range(0, mt_rand(0, 3))
                )) . ']';
            }
            $fields[] = '"result":' . self::ws() . $result;
        }
        if (mt_rand(0, 5) === 0) {
            $fields[] = self::randomString() . ':' . self::randomValue(1);
        }
        if (mt_rand(0, 30) === 0) {
            $fields[] = $fields[mt_rand(0, count($fields) - 1)];
        }
        shuffle($fields);
        return self::ws() . '{' . self::ws() . implode(self::ws() . ',' . self::ws(), $fields) . self::ws() . '}' . self::ws();
    }

    private static function mutate(string $body): string
    {
        $len = strlen($body);
        $at = mt_rand(0, max(0, $len - 1));
        switch (mt_rand(0, 4)) {
            case 0:
                return substr($body, 0, $at);
            case 1:
                return substr($body, 0, $at) . ['"', '\\', ',', '}', ']', ':', "\x01", "\xff", 'e', '-', '0', ' '][mt_rand(0, 11)] . substr($body, $at);
            case 2:
                return substr($body, 0, $at) . substr($body, $at + 1);
            case 3:
                return substr($body, 0, $at) . chr(mt_rand(0x20, 0x7e)) . substr($body, $at + 1);
            default:
                return $body . ['x', ',', '}', ' ', "\n{}", '"'][mt_rand(0, 5)];
        }
    }
}
