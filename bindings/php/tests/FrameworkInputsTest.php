<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Client;
use JustClick\InvalidArgumentException;

/**
 * What framework code hands over, even under strict_types: order numbers
 * as int (database ids) and options read from the environment as strings.
 */
final class FrameworkInputsTest extends TestCase
{
    protected function setUp(): void
    {
        self::sandbox()->reset();
    }

    public function testIdsMayBeInts(): void
    {
        $jc = self::client();
        self::assertSame('Заказ удален', $jc->deleteOrder(1111));
        self::assertSame(self::phpBody(['bill_id' => '1111']), self::sandbox()->stats()['last_body']);
        self::assertSame('Статус заказа изменен', $jc->updateOrderStatus(100000, 'sent', 1362254400, 10000000000000));
        self::assertSame(
            self::phpBody(['bill_id' => '100000', 'status' => 'sent', 'date' => '1362254400', 'rpo' => '10000000000000']),
            self::sandbox()->stats()['last_body']
        );
        $requests = self::sandbox()->stats()['requests'];
        $e = self::thrown(InvalidArgumentException::class, fn () => $jc->deleteOrder(-5));
        self::assertStringContainsString('billId must not be negative, got -5', $e->getMessage());
        self::assertSame($requests, self::sandbox()->stats()['requests'], 'refused before any request');
    }

    public function testIntegerOptionsMayBeStringsOfDigits(): void
    {
        $jc = self::client([
            'timeout_ms' => '15000',
            'connect_timeout_ms' => '5000',
            'max_response_bytes' => '1048576',
            'rate_limit_retries' => '0',
            'rate_limit_backoff_ms' => '10',
        ]);
        self::assertSame(['k' => 'v'], $jc->call('SandboxEcho', ['k' => 'v']));
    }

    public function testStringIntegerOptionIsReallyUsed(): void
    {
        // "1" byte is below any answer: the library got the number, not a default.
        $jc = self::client(['max_response_bytes' => '1']);
        $e = self::thrown(\JustClick\BadResponseException::class, fn () => $jc->call('SandboxEcho', ['k' => 'v']));
        self::assertStringContainsString('1', $e->getMessage());
    }

    /** @return array<string, array{0: mixed, 1: string}> */
    public static function badIntegers(): array
    {
        return [
            'unit' => ['30s', '"30s"'],
            'empty' => ['', '""'],
            'spaces' => [' 30000', '" 30000"'],
            'float' => [1.5, 'float'],
            'float string' => ['1.5', '"1.5"'],
            'bool' => [true, 'bool'],
            'too big' => ['99999999999999999999', '"99999999999999999999"'],
        ];
    }

    /** @dataProvider badIntegers */
    public function testOtherValuesForIntegerOptionsAreRefusedClearly(mixed $value, string $shown): void
    {
        $e = self::thrown(InvalidArgumentException::class, fn () => self::client(['timeout_ms' => $value]));
        self::assertSame("option \"timeout_ms\" must be an integer or a string of digits, got $shown", $e->getMessage());
    }
}
