<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\ApiException;
use JustClick\BadSignatureException;
use JustClick\Client;
use JustClick\Tests\Support\Sandbox;

/**
 * Issue 14's "Done means" from PHP: every per-method call (lcfirst names,
 * and the named-argument forms) against a sandbox of this test's own,
 * typed results and the named outcomes; then the notifications the
 * sandbox posts for a new and a paid order, received on a loopback socket
 * and verified with verifyNotification(), as a shop's handler would.
 */
final class ServiceFlowTest extends TestCase
{
    private static ?Sandbox $sb = null;

    /** A fresh sandbox: the counts below need the seed state. */
    private static function own(): Client
    {
        self::$sb ??= Sandbox::start();
        return self::client([], self::$sb);
    }

    public static function tearDownAfterClass(): void
    {
        self::$sb?->stop();
        self::$sb = null;
    }

    public function testContactsAndGroups(): void
    {
        $jc = self::own();
        $groups = $jc->getAllGroups();
        self::assertTrue(array_is_list($groups));
        $names = array_column($groups, 'rass_name');
        self::assertContains('second', $names);
        self::assertContains('clients_super_tovar', $names);

        $first = $jc->addLeadToGroup(
            ['lead_city' => 'Москва', 'utm' => ['utm_source' => 'php']],
            rid: ['second', 'clients_super_tovar'],
            leadEmail: 'php-flow@example.com',
            leadName: 'Анна',
            leadPhone: '+79001234567'
        );
        self::assertSame(
            ['error_text' => 'Activation email sent to subscriber', 'alreadyRegistered' => false, 'outcome' => null],
            $first
        );
        $again = $jc->addLeadToGroup(['rid' => ['second'], 'lead_email' => 'php-flow@example.com']);
        self::assertTrue($again['alreadyRegistered']);
        $e = self::thrown(
            ApiException::class,
            static fn () => $jc->addLeadToGroup(rid: 'no_such_group', leadEmail: 'php-flow@example.com')
        );
        self::assertSame(103, $e->getCode());
        self::assertSame(103, $e->getErrorCode());

        $statuses = $jc->getLeadGroupStatuses(['email' => 'PHP-Flow@example.com']);
        $byName = array_column($statuses, null, 'rass_name');
        self::assertArrayHasKey('second', $byName);
        self::assertArrayHasKey('clients_super_tovar', $byName);
        self::assertStringStartsWith('STATUS_', $byName['second']['rass_status']);
        self::assertTrue(array_is_list($jc->getLeadGroups(['email' => 'php-flow@example.com'])));

        self::assertSame('OK', $jc->updateSubscriberData([
            'lead_email' => 'php-flow@example.com',
            'lead_name' => 'Анна П.',
            'lead_city' => 'Казань',
        ]));
        // The seed's contact and this one (waiting for activation); only
        // the seed's is active in "super".
        self::assertSame(2, $jc->getCountSubscribe(['group_name' => 'all']));
        self::assertSame(1, $jc->getCountSubscribe(['group_name' => 'super']));
        self::assertSame('OK', $jc->deleteSubscribe(['lead_email' => 'php-flow@example.com', 'rass_name' => 'second']));
    }

    public function testGoodsOrdersAndVerifiedNotifications(): void
    {
        $jc = self::own();
        $listener = stream_socket_server('tcp://127.0.0.1:0');
        self::assertIsResource($listener);
        $url = 'http://' . stream_socket_get_name($listener, false);

        self::assertIsString($jc->addGood([
            'good_name' => 'php_flow_course',
            'good_type' => '0',
            'good_title' => 'PHP flow course',
            'good_sum' => 1500,
            'good_api_url_new_order' => "$url/jc?a=new",
            'good_api_url_notif' => "$url/jc?a=paid",
            'good_partner_fee_perc' => 10,
        ]));
        $goods = array_column($jc->getAllGoods(), 'good_name');
        self::assertContains('php_flow_course', $goods);

        $order = [
            'bill_first_name' => 'Иван',
            'bill_created' => 1700000000,
            'bill_aff_name' => 'partner1',
            'utm' => ['utm_source' => 'newsletter'],
        ];
        $created = $jc->createOrder(
            $order,
            goods: [['good_name' => 'php_flow_course']],
            billEmail: 'php-buyer@example.com',
            billPhone: '+79001234567'
        );
        self::assertFalse($created['alreadyExisted']);
        $bill = $created['bill_id'];
        self::assertMatchesRegularExpression('/^[0-9]+$/', $bill);

        $n = $jc->verifyNotification(self::receive($listener));
        self::assertSame('new_order', $n->event);
        self::assertTrue($n->verified);
        self::assertSame('documented', $n->hashRule);
        self::assertSame($bill, $n->id());
        self::assertSame('php-buyer@example.com', $n->email());
        self::assertSame(1700000000, $n->created());
        self::assertSame('php_flow_course', $n->items()[0]['id'] ?? null);

        // The identical order again: the service's 601 as a named outcome
        // carrying the existing order, not an exception.
        $dup = $jc->createOrder(
            $order + ['goods' => [['good_name' => 'php_flow_course']], 'bill_email' => 'php-buyer@example.com', 'bill_phone' => '+79001234567']
        );
        self::assertSame(['bill_id' => $bill, 'alreadyExisted' => true], $dup);

        $details = $jc->getOrderDetails(billId: $bill, goodInfo: true);
        self::assertSame($bill, $details['id']);
        self::assertSame('php-buyer@example.com', $details['email']);
        self::assertSame('waiting', $details['pay_status']);
        self::assertSame('150', $details['items'][0]['partners'][0]['partner_fee']);
        $info = $jc->getOrderInfo(['bill_id' => $bill]);
        self::assertSame($bill, $info[0]['id'] ?? null);

        self::assertIsString($jc->updateOrderStatus($bill, 'paid', 1700003600));
        $body = self::receive($listener);
        $paid = $jc->verifyNotification($body);
        self::assertSame('payment', $paid->event);
        self::assertTrue($paid->verified);
        self::assertSame($bill, $paid->id());
        self::assertSame(1700003600, $paid->paid());
        // Tampered, or checked with another account's key: refused.
        $forged = str_replace("id=$bill&", 'id=1&', $body);
        self::assertNotSame($body, $forged);
        self::thrown(BadSignatureException::class, static fn () => $jc->verifyNotification($forged));
        $stranger = new Client(Sandbox::LOGIN, 'another-secret', self::$sb?->options() ?? []);
        self::thrown(BadSignatureException::class, static fn () => $stranger->verifyNotification($body));

        self::assertSame('paid', $jc->getOrderDetails(['bill_id' => $bill])['pay_status']);
        $range = $jc->getOrdersWithGoods(['begin_date' => '14.11.2023', 'end_date' => '15.11.2023']);
        self::assertContains($bill, array_column($range, 'id'));
        // Over a year: split by the library, one list.
        $year = $jc->getOrdersWithGoods(['begin_date' => '01.06.2023', 'end_date' => '31.05.2024']);
        self::assertContains($bill, array_column($year, 'id'));
        $legacy = $jc->getOrders(['date_s' => 1699990000, 'date_e' => 1700100000]);
        self::assertContains($bill, array_column($legacy, 'id'));

        $stats = $jc->getPartnerStats(['partner' => 'partner1']);
        self::assertArrayHasKey('earned_total', $stats);

        self::assertIsString($jc->deleteGood(['good_name' => 'php_flow_course']));
        self::assertNotContains('php_flow_course', array_column($jc->getAllGoods(), 'good_name'));
        fclose($listener);
    }

    public function testTheExampleReceiverVerifiesWhatTheSandboxSends(): void
    {
        $jc = self::own();
        $log = tempnam(sys_get_temp_dir(), 'jc-flow-notify-');
        self::assertIsString($log);
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        self::assertIsResource($probe);
        $port = (int) substr((string) strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $proc = proc_open(
            [PHP_BINARY, '-d', 'ffi.enable=1', '-S', "127.0.0.1:$port", dirname(__DIR__, 3) . '/examples/php/notify-receiver.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
            null,
            [
                'PATH' => (string) getenv('PATH'),
                'JUSTCLICK_LIB' => Sandbox::lib(),
                'JUSTCLICK_LOGIN' => Sandbox::LOGIN,
                'JUSTCLICK_SECRET' => self::$sb?->secret ?? '',
                'JUSTCLICK_NOTIFY_LOG' => $log,
            ]
        );
        self::assertIsResource($proc);
        try {
            self::awaitListener($port);
            $jc->addGood([
                'good_name' => 'php_receiver_course',
                'good_type' => '0',
                'good_title' => 'Receiver course',
                'good_sum' => 700,
                'good_api_url_new_order' => "http://127.0.0.1:$port/notify",
            ]);
            $bill = $jc->createOrder(goods: [['good_name' => 'php_receiver_course']], billEmail: 'receiver@example.com')['bill_id'];
            $want = "new_order verified (documented) order=$bill email=receiver@example.com";
            for ($i = 0; $i < 500 && !str_contains((string) file_get_contents($log), $want); $i++) {
                usleep(20000);
            }
            self::assertStringContainsString($want, (string) file_get_contents($log));
        } finally {
            proc_terminate($proc);
            proc_close($proc);
            @unlink($log);
        }
    }

    /**
     * Accepts one notification on $listener, answers 200 and returns the
     * raw body (what file_get_contents('php://input') gives a handler).
     *
     * @param resource $listener
     */
    private static function receive($listener): string
    {
        $conn = stream_socket_accept($listener, 10);
        self::assertIsResource($conn, 'the sandbox posted no notification');
        stream_set_timeout($conn, 10);
        $head = '';
        while (($line = fgets($conn)) !== false && $line !== "\r\n") {
            $head .= $line;
        }
        self::assertSame("\r\n", $line, "connection closed in the headers: $head");
        self::assertSame(1, preg_match('/^content-length:\s*(\d+)/mi', $head, $m), $head);
        self::assertStringStartsWith('POST /jc?a=', $head);
        $body = '';
        while (strlen($body) < (int) $m[1]) {
            $chunk = fread($conn, (int) $m[1] - strlen($body));
            self::assertIsString($chunk);
            self::assertNotSame('', $chunk, 'connection closed in the body');
            $body .= $chunk;
        }
        fwrite($conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
        fclose($conn);
        return $body;
    }
}
