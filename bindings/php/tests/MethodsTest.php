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
        // A new contact on an account that confirms subscriptions (the
        // default): the service's documented answer.
        self::assertSame('Activation email sent to subscriber', $r['error_text']);
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

    /**
     * Runs $test against a fake service on PHP's built-in server: each
     * method (last path segment) answers $answers[method] = [code, text,
     * result, key], signed md5(code::text::key) as the service signs; `key`
     * null is $secret. Unlisted methods answer 0 "OK".
     *
     * @param array<string, array{0: int, 1: string, 2: mixed, 3?: string|null}> $answers
     * @param callable(Client): void                                         $test
     */
    private static function withFakeService(string $secret, array $answers, callable $test): void
    {
        $router = tempnam(sys_get_temp_dir(), 'jc-fake-');
        self::assertIsString($router);
        file_put_contents($router, '<?php
            $answers = json_decode(getenv("FAKE_ANSWERS"), true);
            $method = basename(rtrim(parse_url($_SERVER["REQUEST_URI"], PHP_URL_PATH), "/"));
            [$code, $text, $result, $key] = ($answers[$method] ?? [0, "OK", null]) + [3 => null];
            $key ??= getenv("FAKE_SECRET");
            header("Content-Type: application/json");
            echo json_encode(["error_code" => $code, "error_text" => $text, "result" => $result,
                "hash" => md5("$code::$text::$key")]);
        ');
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        self::assertIsResource($probe);
        $port = (int) substr((string) strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $proc = proc_open(
            [PHP_BINARY, '-S', "127.0.0.1:$port", $router],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
            null,
            ['PATH' => (string) getenv('PATH'), 'FAKE_SECRET' => $secret,
                'FAKE_ANSWERS' => json_encode($answers, JSON_THROW_ON_ERROR)]
        );
        self::assertIsResource($proc);
        try {
            self::awaitListener($port);
            $test(new Client('demo', $secret, ['base_url' => "http://127.0.0.1:$port", 'proxy' => '', 'lib' => \JustClick\Tests\Support\Sandbox::lib()]));
        } finally {
            proc_terminate($proc);
            proc_close($proc);
            @unlink($router);
        }
    }

    public function testOutcomesAreSurfaced(): void
    {
        // CreateOrder answers 601, and AddLeadToGroup "already registered"
        // with code 0.
        self::withFakeService('fake-service-secret', [
            'CreateOrder' => [601, 'Order already exist', ['bill_id' => '1111']],
            'AddLeadToGroup' => [0, 'The subscriber is already registered', null],
        ], function (Client $jc): void {
            self::assertSame(
                ['bill_id' => '1111', 'alreadyExisted' => true],
                $jc->createOrder(goods: [['good_name' => 'course']], billEmail: 'a@b.ru')
            );
            self::assertSame(
                ['error_text' => 'The subscriber is already registered', 'alreadyRegistered' => true, 'outcome' => 'already_registered'],
                $jc->addLeadToGroup(rid: 'second', leadEmail: 'a@b.ru')
            );
            self::assertSame('OK', $jc->deleteGood(['good_name' => 'g']));
        });
    }

    public function testAnAddLeadToGroupTextNeverSeenIsNoPlainSuccess(): void
    {
        foreach (['Подписчик поставлен в очередь', 'Subscriber queued', 'the subscriber is already registered.', 'OK'] as $text) {
            self::withFakeService('fake-service-secret', [
                'AddLeadToGroup' => [0, $text, null],
            ], function (Client $jc) use ($text): void {
                $known = ['the subscriber is already registered.' => 'already_registered', 'OK' => null];
                $want = array_key_exists($text, $known) ? $known[$text] : 'unknown';
                self::assertSame(
                    ['error_text' => $text, 'alreadyRegistered' => $want === 'already_registered', 'outcome' => $want],
                    $jc->addLeadToGroup(rid: 'second', leadEmail: 'a@b.ru'),
                    $text
                );
            });
        }
    }

    public function testAnUnknownLoginIsApiError5NamingTheLogin(): void
    {
        $check = function (Client $jc): void {
            foreach (['getAllGoods' => [], 'deleteOrder' => ['1111']] as $call => $args) {
                try {
                    $jc->$call(...$args);
                    self::fail("$call: no exception");
                } catch (\JustClick\ApiException $e) {
                    self::assertSame(5, $e->getCode(), $call);
                    self::assertStringStartsWith("Invalid user name (login 'demo' not found", $e->getMessage(), $call);
                }
            }
        };
        // A fake service signing error 5 with an empty key, as the service does.
        self::withFakeService('fake-service-secret', [
            'GetAllGoods' => [5, 'Invalid user name', null, ''],
            'DeleteOrder' => [5, 'Invalid user name', null, ''],
        ], $check);
        // The sandbox, told to answer as for a login it does not know.
        $sb = \JustClick\Tests\Support\Sandbox::start();
        try {
            $sb->settings(['unknown_login' => '1']);
            $check(new Client('demo', $sb->secret, $sb->options(['proxy' => ''])));
        } finally {
            $sb->stop();
        }
    }
}
