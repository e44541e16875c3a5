<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Client;
use JustClick\InvalidArgumentException;

/**
 * NULL-ish and invalid inputs. The rule, as documented on Client:
 * - the wrong PHP type (null where a string is required, an int for an
 *   array, ...) is PHP's own \TypeError (null always; other types when the
 *   caller declares strict_types, as this file does);
 * - a wrong value (empty string, NUL byte, invalid UTF-8, INF/NAN, unknown
 *   option or field, malformed name) is JustClick\InvalidArgumentException,
 *   raised before any request reaches the server.
 */
final class InputsTest extends TestCase
{
    private Client $jc;

    private int $requestsBefore;

    protected function setUp(): void
    {
        self::sandbox()->reset();
        $this->jc = self::client();
        $this->requestsBefore = self::sandbox()->stats()['requests'];
    }

    protected function tearDown(): void
    {
        self::assertSame(
            $this->requestsBefore,
            self::sandbox()->stats()['requests'],
            'a rejected argument must not cause any request'
        );
    }

    /** @return array<string, array{0: callable(Client): mixed, 1: string}> */
    public static function nulBytes(): array
    {
        $opts = static fn (array $extra = []) => Support\Sandbox::main()->options($extra);
        return [
            'login' => [fn () => new Client("demo\0x", 's', $opts()), 'login'],
            'secret' => [fn () => new Client('demo', "s\0x", $opts()), 'secret'],
            'option base_url' => [fn () => new Client('demo', 's', $opts(['base_url' => "http://127.0.0.1:1\0x"])), 'base_url'],
            'option lib' => [fn () => new Client('demo', 's', ['lib' => Support\Sandbox::lib() . "\0x"]), 'lib'],
            'deleteOrder billId' => [fn (Client $c) => $c->deleteOrder("1111\0junk"), 'billId'],
            'updateOrderStatus billId' => [fn (Client $c) => $c->updateOrderStatus("100000\0x", 'cancel'), 'billId'],
            'updateOrderStatus status' => [fn (Client $c) => $c->updateOrderStatus('100000', "cancel\0x"), 'status'],
            'updateOrderStatus rpo' => [fn (Client $c) => $c->updateOrderStatus('100000', 'sent', 1, "1\0x"), 'rpo'],
            'getBills email' => [fn (Client $c) => $c->getBills("client@example.com\0x"), 'email'],
            'getBills payStatus' => [fn (Client $c) => $c->getBills('client@example.com', "paid\0x"), 'payStatus'],
            'call method' => [fn (Client $c) => $c->call("GetAllGoods\0x"), 'method'],
            'callBatch method' => [fn (Client $c) => $c->callBatch([['method' => "GetAllGoods\0x"]]), 'method'],
        ];
    }

    /**
     * "1111\0junk" would silently become order 1111 in C: refused instead.
     *
     * @dataProvider nulBytes
     */
    public function testNulBytesAreRefused(callable $call, string $name): void
    {
        $e = self::thrown(InvalidArgumentException::class, fn () => $call($this->jc));
        self::assertStringContainsString($name, $e->getMessage());
        self::assertStringContainsString('NUL', $e->getMessage());
    }

    /** @return array<string, array{0: callable(Client): mixed, 1: string}> */
    public static function emptyStrings(): array
    {
        $opts = static fn () => Support\Sandbox::main()->options();
        return [
            'login' => [fn () => new Client('', 's', $opts()), 'login'],
            'secret' => [fn () => new Client('demo', '', $opts()), 'secret'],
            'deleteOrder billId' => [fn (Client $c) => $c->deleteOrder(''), 'bill_id'],
            'updateOrderStatus billId' => [fn (Client $c) => $c->updateOrderStatus('', 'cancel'), 'bill_id'],
            'updateOrderStatus status' => [fn (Client $c) => $c->updateOrderStatus('100000', ''), 'status'],
            'getBills email' => [fn (Client $c) => $c->getBills(''), 'email'],
            'call method' => [fn (Client $c) => $c->call(''), 'method'],
            'updateGood without good_name' => [fn (Client $c) => $c->updateGood([]), 'good_name'],
            'updateGood empty good_name' => [fn (Client $c) => $c->updateGood(['good_name' => '']), 'good_name'],
            'callBatch without method' => [fn (Client $c) => $c->callBatch([['params' => []]]), 'method'],
            'empty parameter name' => [fn (Client $c) => $c->call('SandboxEcho', ['' => 'x']), 'name'],
        ];
    }

    /** @dataProvider emptyStrings */
    public function testEmptyRequiredValuesAreRefused(callable $call, string $mention): void
    {
        $e = self::thrown(InvalidArgumentException::class, fn () => $call($this->jc));
        self::assertStringContainsString($mention, $e->getMessage());
    }

    /** @return array<string, array{0: callable(Client): mixed}> */
    public static function nulls(): array
    {
        return [
            'login' => [fn () => new Client(null, 's')],
            'secret' => [fn () => new Client('demo', null)],
            'options' => [fn () => new Client('demo', 's', null)],
            'deleteOrder billId' => [fn (Client $c) => $c->deleteOrder(null)],
            'updateOrderStatus billId' => [fn (Client $c) => $c->updateOrderStatus(null, 'cancel')],
            'updateOrderStatus status' => [fn (Client $c) => $c->updateOrderStatus('100000', null)],
            'getBills email' => [fn (Client $c) => $c->getBills(null)],
            'updateGood good' => [fn (Client $c) => $c->updateGood(null)],
            'call method' => [fn (Client $c) => $c->call(null)],
            'call params' => [fn (Client $c) => $c->call('SandboxEcho', null)],
            'callBatch calls' => [fn (Client $c) => $c->callBatch(null)],
            'string date' => [fn (Client $c) => $c->updateOrderStatus('100000', 'paid', '1362254400')],
        ];
    }

    /**
     * null where a value is required is a \TypeError from PHP itself (the
     * nullable parameters are $date, $rpo and $payStatus only).
     *
     * @dataProvider nulls
     */
    public function testNullWhereNotAllowedIsTypeError(callable $call): void
    {
        $this->expectException(\TypeError::class);
        $call($this->jc);
    }

    public function testCoerciveCallersMayPassTheSeedsInts(): void
    {
        // The seeds pass bill_id 1111 and date '1362254400'; code without
        // strict_types gets PHP's usual conversions, but null stays a TypeError.
        self::assertSame('Заказ удален', Support\Coercive::call($this->jc, 'deleteOrder', [1111]));
        self::assertSame('Статус заказа изменен', Support\Coercive::call($this->jc, 'updateOrderStatus', [100000, 'sent', '1362254400', 10000000000000]));
        self::assertSame(
            self::phpBody(['bill_id' => '100000', 'status' => 'sent', 'date' => '1362254400', 'rpo' => '10000000000000']),
            self::sandbox()->stats()['last_body']
        );
        $this->requestsBefore += 2;
        $this->expectException(\TypeError::class);
        Support\Coercive::call($this->jc, 'deleteOrder', [null]);
    }

    public function testNullWhereAllowedMeansNotGiven(): void
    {
        // Not a rejection: these reach the server, so count them.
        self::assertSame('Статус заказа изменен', $this->jc->updateOrderStatus('258369', 'cancel', null, null));
        self::assertCount(4, $this->jc->getBills('client@example.com', null));
        self::assertSame([], $this->jc->call('SandboxEcho', ['skipped' => null]));
        $this->requestsBefore += 3;
    }

    /** @return array<string, array{0: mixed}> */
    public static function unencodable(): array
    {
        return [
            'invalid UTF-8 (windows-1251)' => ["\xC8\xE2\xE0\xED"],
            'INF' => [INF],
            'NAN' => [NAN],
            'nested invalid UTF-8' => [['x' => ['y' => "\xff"]]],
        ];
    }

    /**
     * JsonException (invalid UTF-8, INF, NAN) becomes InvalidArgumentException,
     * with the JsonException as previous.
     *
     * @dataProvider unencodable
     */
    public function testUnencodableValuesAreInvalidArguments(mixed $value): void
    {
        $e = self::thrown(InvalidArgumentException::class, fn () => $this->jc->call('SandboxEcho', ['v' => $value]));
        self::assertInstanceOf(\JsonException::class, $e->getPrevious());
        $e = self::thrown(InvalidArgumentException::class, fn () => $this->jc->updateGood(['good_name' => 'sales', 'good_title' => $value]));
        self::assertInstanceOf(\JsonException::class, $e->getPrevious());
        $e = self::thrown(InvalidArgumentException::class, fn () => $this->jc->callBatch([['method' => 'SandboxEcho', 'params' => ['v' => $value]]]));
        self::assertInstanceOf(\JsonException::class, $e->getPrevious());
    }

    public function testInvalidUtf8KeyAndResource(): void
    {
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->call('SandboxEcho', ["\xff" => 'x']));
        $fh = fopen('php://memory', 'r');
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->call('SandboxEcho', ['f' => $fh]));
        fclose($fh);
    }

    /** @return array<string, array{0: array<array-key, mixed>, 1: string}> */
    public static function badParams(): array
    {
        return [
            'reserved hash' => [['hash' => 'x'], 'hash'],
            'dot in name' => [['a.b' => 'x'], '.'],
            'space in name' => [['a b' => 'x'], 'space'],
            'bracket in name' => [['a[b]' => 'x'], '['],
            'control byte in name' => [["a\x01" => 'x'], 'a'],
        ];
    }

    /**
     * Keys PHP would rename on the server would be signed under another name.
     *
     * @dataProvider badParams
     * @param array<array-key, mixed> $params
     */
    public function testKeysPhpWouldMangleAreRefused(array $params, string $mention): void
    {
        $e = self::thrown(InvalidArgumentException::class, fn () => $this->jc->call('SandboxEcho', $params));
        self::assertStringContainsString($mention, $e->getMessage());
    }

    public function testBadMethodNames(): void
    {
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->call('Bad-Method'));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->call('../__sandbox/reset'));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->call('Get All'));
    }

    public function testUpdateGoodFieldChecks(): void
    {
        $e = self::thrown(InvalidArgumentException::class, fn () => $this->jc->updateGood(['good_name' => 'sales', 'good_partner_sl_link' => 'x']));
        self::assertStringContainsString('good_partner_sl_link', $e->getMessage(), 'names are case-sensitive');
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->updateGood(['good_name' => 'sales', 'bogus' => 1]));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->updateGood(['sales']));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->updateGood(['good_name' => 'sales', 'good_sum' => 'дорого']));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->updateGood(['good_name' => 'sales', 'good_sum' => -1]));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->updateGood(['good_name' => 'sales', 'good_timer_unit' => 'week']));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->updateGood(['good_name' => 'sales', 'good_publish' => 2]));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->updateGood(['good_name' => 'sales', 'good_title' => ['x']]));
    }

    /** @return array<string, array{0: array<string, mixed>, 1: string}> */
    public static function badOptions(): array
    {
        return [
            'unknown option' => [['bogus' => 1], 'bogus'],
            'misspelt option' => [['timeout' => 1000], 'timeout'],
            'wrong type' => [['timeout_ms' => '10 s'], 'timeout_ms'],
            'negative timeout' => [['timeout_ms' => -1], 'timeout_ms'],
            'missing ca_file' => [['ca_file' => '/nonexistent/ca.pem'], '/nonexistent/ca.pem'],
            'bad base_url' => [['base_url' => 'ftp://example.com'], 'base_url'],
            'lib not a string' => [['lib' => 42], 'lib'],
            'ffi not an FFI' => [['ffi' => 'yes'], 'ffi'],
            'lib and scope' => [['lib' => '/x.so', 'scope' => 'JUSTCLICK'], 'at most one'],
            'header with ffi' => [['header' => '/x.h', 'ffi' => \JustClick\Library::fromPath(Support\Sandbox::lib())], 'header'],
            'list instead of options' => [['http://127.0.0.1:1'], '0'],
        ];
    }

    /**
     * @dataProvider badOptions
     * @param array<string, mixed> $options
     */
    public function testBadOptionsAreInvalidArguments(array $options, string $mention): void
    {
        $sb = self::sandbox();
        $e = self::thrown(
            InvalidArgumentException::class,
            fn () => new Client(
                'demo',
                $sb->secret,
                array_intersect_key($options, ['lib' => 1, 'scope' => 1, 'ffi' => 1]) === []
                    ? $options + ['lib' => Support\Sandbox::lib()]
                    : $options
            )
        );
        self::assertStringContainsString($mention, $e->getMessage());
    }

    public function testBadLogins(): void
    {
        foreach (['evil.com/x?', 'de mo', '-demo', str_repeat('a', 64), 'демо'] as $login) {
            $e = self::thrown(InvalidArgumentException::class, fn () => new Client($login, 's', self::sandbox()->options()));
            self::assertStringContainsString('login', $e->getMessage());
        }
    }

    public function testBatchShapeErrors(): void
    {
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->callBatch([['method' => 'GetAllGoods', 'bogus' => 1]]));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->callBatch(['GetAllGoods']));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->callBatch([['method' => 'GetAllGoods', 'params' => 'x']]));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->callBatch([['method' => 'GetAllGoods', 'idempotent' => 'yes']]));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->callBatch([['method' => 'GetAllGoods']], 0));
        self::thrown(InvalidArgumentException::class, fn () => $this->jc->callBatch([['method' => 'GetAllGoods']], -1));
        $e = self::thrown(InvalidArgumentException::class, fn () => $this->jc->callBatch([['method' => 'GetAllGoods']], 65));
        self::assertStringContainsString('64', $e->getMessage());
        self::assertSame([], $this->jc->callBatch([]));
    }
}
