<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Client;
use JustClick\InvalidArgumentException;

/**
 * The per-method calls of issue 14 (addLeadToGroup(), createOrder(), ...):
 * parameters are checked by the library's table before any traffic, named
 * arguments map to the documented names, outcomes are surfaced.
 */
final class MethodsTest extends TestCase
{
    /**
     * method => [a call with no parameters, the required name the error names]
     *
     * @return array<string, array{0: string, 1: string}>
     */
    public static function requiredParams(): array
    {
        return [
            'addLeadToGroup' => ['addLeadToGroup', 'rid'],
            'updateSubscriberData' => ['updateSubscriberData', 'lead_email'],
            'deleteSubscribe' => ['deleteSubscribe', 'lead_email'],
            'getLeadGroupStatuses' => ['getLeadGroupStatuses', 'email'],
            'getLeadGroups' => ['getLeadGroups', 'email'],
            'getCountSubscribe' => ['getCountSubscribe', 'group_name'],
            'createOrder' => ['createOrder', 'goods'],
            'getOrderDetails' => ['getOrderDetails', 'bill_id'],
            'getOrderInfo' => ['getOrderInfo', 'bill_id'],
            'addGood' => ['addGood', 'good_name'],
            'deleteGood' => ['deleteGood', 'good_name'],
            'getPartnerStats' => ['getPartnerStats', 'partner'],
        ];
    }

    /**
     * @dataProvider requiredParams
     */
    public function testMissingRequiredParametersAreRefusedBeforeTraffic(string $method, string $required): void
    {
        $jc = self::client();
        $before = self::sandbox()->stats()['requests'];
        $e = self::thrown(InvalidArgumentException::class, static fn () => $jc->$method([]));
        self::assertStringContainsString($required, $e->getMessage());
        $e = self::thrown(InvalidArgumentException::class, static fn () => $jc->$method(['bogus_param' => 1]));
        self::assertStringContainsString('bogus_param', $e->getMessage());
        self::assertSame($before, self::sandbox()->stats()['requests'], 'nothing was sent');
    }

    /** @return array<string, array{0: string}> */
    public static function optionalOnly(): array
    {
        return [
            'getAllGroups' => ['getAllGroups'],
            'getOrdersWithGoods' => ['getOrdersWithGoods'],
            'getOrders' => ['getOrders'],
            'getAllGoods' => ['getAllGoods'],
        ];
    }

    /**
     * @dataProvider optionalOnly
     */
    public function testUnknownParametersAreRefusedForMethodsWithoutRequiredOnes(string $method): void
    {
        $e = self::thrown(InvalidArgumentException::class, static fn () => self::client()->$method(['bogus_param' => 1]));
        self::assertStringContainsString('bogus_param', $e->getMessage());
    }

    public function testRulesOfSingleMethods(): void
    {
        $jc = self::client();
        $e = self::thrown(
            InvalidArgumentException::class,
            static fn () => $jc->addLeadToGroup(rid: 'second', leadEmail: 'not-an-email')
        );
        self::assertStringContainsString('lead_email', $e->getMessage());
        $e = self::thrown(
            InvalidArgumentException::class,
            static fn () => $jc->createOrder(goods: [], billEmail: 'a@b.ru')
        );
        self::assertStringContainsString('goods', $e->getMessage());
        $e = self::thrown(
            InvalidArgumentException::class,
            static fn () => $jc->getOrdersWithGoods(['begin_date' => '2017-01-01'])
        );
        self::assertStringContainsString('begin_date', $e->getMessage());
        // A name given both ways is refused, not silently overridden.
        $e = self::thrown(
            InvalidArgumentException::class,
            static fn () => $jc->getOrderDetails(['bill_id' => 1], billId: 2)
        );
        self::assertStringContainsString('bill_id', $e->getMessage());
        // Strings that cannot be JSON are an argument error, not a crash.
        self::thrown(InvalidArgumentException::class, static fn () => $jc->deleteGood(['good_name' => "\xff"]));
    }

    public function testAddLeadToGroupWithNamedArgumentsReachesTheService(): void
    {
        $r = self::client()->addLeadToGroup(
            ['lead_city' => 'Москва'],
            rid: ['second'],
            leadEmail: 'php-methods@example.com',
            leadName: 'PHP'
        );
        self::assertSame('OK', $r['error_text']);
        self::assertFalse($r['alreadyRegistered']);
        // And with the documented names only.
        $r = self::client()->addLeadToGroup(['rid' => 'second', 'lead_email' => 'php-methods@example.com']);
        self::assertIsBool($r['alreadyRegistered']);
    }

    public function testGetAllGoodsReturnsTheList(): void
    {
        $goods = self::client()->getAllGoods();
        self::assertTrue(array_is_list($goods));
        self::assertNotSame([], $goods);
        self::assertArrayHasKey('good_name', $goods[0]);
    }

    public function testEveryMethodOfTheReadmeTableExists(): void
    {
        $readme = (string) file_get_contents(dirname(__DIR__, 3) . '/README.md');
        self::assertSame(1, preg_match('/<!-- methods:begin.*?-->(.*?)<!-- methods:end/s', $readme, $m));
        $rows = array_filter(explode("\n", $m[1]), static fn (string $l) => str_starts_with($l, '| `'));
        self::assertGreaterThanOrEqual(19, count($rows));
        foreach ($rows as $row) {
            $cells = array_map('trim', explode('|', $row));
            $php = trim($cells[6], '`');
            self::assertTrue(method_exists(Client::class, $php), "Client::$php (README) exists");
        }
    }
}
