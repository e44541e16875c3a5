<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\ApiException;
use JustClick\Client;
use JustClick\HttpStatusException;
use JustClick\InvalidArgumentException;

/**
 * Every method of Client against the sandbox, with the bytes on the wire
 * compared to what PHP's own http_build_query() produces.
 */
final class ClientTest extends TestCase
{
    protected function setUp(): void
    {
        self::sandbox()->reset();
    }

    public function testDeleteOrder(): void
    {
        $jc = self::client();
        self::assertSame('Заказ удален', $jc->deleteOrder('1111'));
        self::assertSame(self::phpBody(['bill_id' => '1111']), self::sandbox()->stats()['last_body']);

        $e = self::thrown(ApiException::class, fn () => $jc->deleteOrder('1111'));
        self::assertSame(200, $e->getCode());
        self::assertSame(200, $e->getErrorCode());
        self::assertSame('Заказ не существует', $e->getMessage());
        self::assertSame('Заказ не существует', $e->getErrorText());
        self::assertInstanceOf(\RuntimeException::class, $e);
        self::assertInstanceOf(\JustClick\ExceptionInterface::class, $e);
    }

    public function testUpdateOrderStatusSentAsInTheSeed(): void
    {
        $jc = self::client();
        self::assertSame('Статус заказа изменен', $jc->updateOrderStatus('100000', 'sent', 1362254400, '10000000000000'));
        // API.md test vector body, signed with this sandbox's secret.
        self::assertSame(
            self::phpBody(['bill_id' => '100000', 'status' => 'sent', 'date' => '1362254400', 'rpo' => '10000000000000']),
            self::sandbox()->stats()['last_body']
        );
    }

    public function testUpdateOrderStatusRules(): void
    {
        $jc = self::client();
        self::assertSame('Статус заказа изменен', $jc->updateOrderStatus('258369', 'cancel'));
        self::assertSame(self::phpBody(['bill_id' => '258369', 'status' => 'cancel']), self::sandbox()->stats()['last_body']);
        self::assertSame('Статус заказа изменен', $jc->updateOrderStatus('300001', 'paid', 1700000000));
        self::assertSame('Статус заказа изменен', $jc->updateOrderStatus('300001', 'return', null, ''));
        $requests = self::sandbox()->stats()['requests'];

        $e = self::thrown(InvalidArgumentException::class, fn () => $jc->updateOrderStatus('300001', 'paid'));
        self::assertStringContainsString('date', $e->getMessage());
        $e = self::thrown(InvalidArgumentException::class, fn () => $jc->updateOrderStatus('300001', 'sent', 1362254400));
        self::assertStringContainsString('rpo', $e->getMessage());
        $e = self::thrown(InvalidArgumentException::class, fn () => $jc->updateOrderStatus('300001', 'shipped', 1));
        self::assertStringContainsString('shipped', $e->getMessage());
        $e = self::thrown(InvalidArgumentException::class, fn () => $jc->updateOrderStatus('300001', 'paid', 0));
        self::assertStringContainsString('positive', $e->getMessage());
        self::thrown(InvalidArgumentException::class, fn () => $jc->updateOrderStatus('300001', 'paid', -5));
        self::assertSame($requests, self::sandbox()->stats()['requests'], 'rejected calls must not reach the server');

        $e = self::thrown(ApiException::class, fn () => $jc->updateOrderStatus('999999', 'cancel'));
        self::assertSame(200, $e->getCode());
    }

    public function testGetBills(): void
    {
        $jc = self::client();
        $paid = $jc->getBills('client@example.com', 'paid');
        self::assertSame([
            258367 => [12549 => ['good_name' => 'oplata', 'good_title' => 'Оплата за тренинг']],
            258368 => [
                13011 => ['good_name' => 'sales', 'good_title' => 'Продажи в кинотеатрах'],
                28363 => ['good_name' => '222', 'good_title' => '222 способа'],
            ],
        ], $paid);
        self::assertSame(
            self::phpBody(['email' => 'client@example.com', 'pay_status' => 'paid']),
            self::sandbox()->stats()['last_body']
        );

        $all = $jc->getBills('client@example.com');
        self::assertSame([1111, 258367, 258368, 258369], array_keys($all));
        self::assertSame(self::phpBody(['email' => 'client@example.com']), self::sandbox()->stats()['last_body']);
        self::assertSame($all, $jc->getBills('client@example.com', ''), '"" means all orders, like null');
        self::assertSame([258369], array_keys($jc->getBills('client@example.com', 'cancel')));

        $e = self::thrown(ApiException::class, fn () => $jc->getBills('nobody@example.com'));
        self::assertSame(400, $e->getCode());
        self::assertSame('Заказы не найдены', $e->getMessage());
        self::thrown(InvalidArgumentException::class, fn () => $jc->getBills('client@example.com', 'refunded'));
        self::thrown(InvalidArgumentException::class, fn () => $jc->getBills('not-an-email'));
    }

    public function testUpdateGoodWithEveryFieldOfTheSeed(): void
    {
        $jc = self::client();
        $good = self::superTovar();
        self::assertSame('Продукт обновлен', $jc->updateGood($good));
        // Same fields, same order, same bytes as the seed's http_build_query.
        self::assertSame(self::phpBody($good), self::sandbox()->stats()['last_body']);

        $stored = $this->good($jc, 'super_tovar');
        foreach ($good as $field => $value) {
            self::assertSame((string) $value, $stored[$field], $field);
        }
    }

    public function testUpdateGoodZeroPriceQuirkAndNulls(): void
    {
        $jc = self::client();
        self::assertSame('Продукт обновлен', $jc->updateGood(['good_name' => 'sales', 'good_title' => 'Новое', 'parent_id' => null]));
        self::assertSame(self::phpBody(['good_name' => 'sales', 'good_title' => 'Новое']), self::sandbox()->stats()['last_body']);
        $stored = $this->good($jc, 'sales');
        self::assertSame('Новое', $stored['good_title']);
        self::assertSame('0', $stored['good_sum'], 'the service stores 0 when good_sum is not sent');
        self::assertSame('Продукт обновлен', $jc->updateGood(['good_name' => 'sales', 'good_sum' => 1490.5]));
        self::assertSame('1490.5', $this->good($jc, 'sales')['good_sum']);
        $e = self::thrown(ApiException::class, fn () => $jc->updateGood(['good_name' => 'no_such_good']));
        self::assertSame(3, $e->getCode());
    }

    public function testCallGeneric(): void
    {
        $jc = self::client();
        $goods = $jc->call('GetAllGoods');
        self::assertIsArray($goods);
        self::assertTrue(array_is_list($goods));
        self::assertSame(['oplata', 'sales', '222', 'super_tovar'], array_column($goods, 'good_name'));

        // A method without a result returns null (AddLeadToGroup too); SandboxEcho echoes.
        self::assertNull($jc->call('DeleteOrder', ['bill_id' => '258369']));
        $lead = ['rid' => ['clients', 'vip'], 'lead_name' => 'Иван Петров', 'lead_email' => 'ivan@example.com'];
        self::assertNull($jc->call('AddLeadToGroup', $lead));
        self::assertSame(self::phpBody($lead), self::sandbox()->stats()['last_body']);
        self::assertSame($lead, $jc->call('SandboxEcho', $lead));

        // No params at all: an empty signed body.
        self::assertSame([], $jc->call('SandboxEcho'));
        self::assertSame([], $jc->call('SandboxEcho', []));

        $e = self::thrown(ApiException::class, fn () => $jc->call('AddLeadToGroup', ['lead_name' => 'x']));
        self::assertSame(100, $e->getCode());
    }

    public function testUnknownMethodIsHttp404(): void
    {
        $e = self::thrown(HttpStatusException::class, fn () => self::client()->call('NoSuchMethod'));
        self::assertSame(404, $e->getHttpStatus());
        self::assertSame(404, $e->getCode());
        self::assertStringContainsString('404', $e->getMessage());
    }

    public function testLibraryInfo(): void
    {
        $jc = self::client();
        self::assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', $jc->libraryVersion());
        self::assertSame(\JustClick\Tests\Support\Sandbox::engine(), $jc->engine());
        if ($jc->engine() === 'ffi') {
            self::assertSame('FFI::cdef(' . realpath(\JustClick\Tests\Support\Sandbox::lib()) . ')', $jc->library());
        } else {
            self::assertSame('pure PHP (' . dirname(__DIR__) . '/src/JustClick)', $jc->library());
            // Both engines are built from the same table: the same version.
            $ffi = new Client('demo', 's', ['lib' => \JustClick\Tests\Support\Sandbox::lib()]);
            self::assertSame($ffi->libraryVersion(), $jc->libraryVersion());
        }
    }

    public function testClientsAreIndependent(): void
    {
        $a = self::client();
        $b = new Client('demo', 'wrong-secret', self::sandbox()->options());
        self::assertSame('Заказ удален', $a->deleteOrder('1111'));
        self::thrown(\JustClick\BadSignatureException::class, fn () => $b->deleteOrder('258367'));
        self::assertSame('Заказ удален', $a->deleteOrder('258367'));
    }

    /** @return array<string, string> the stored fields of a product */
    private function good(Client $jc, string $name): array
    {
        foreach ($jc->call('GetAllGoods') as $g) {
            if ($g['good_name'] === $name) {
                return $g;
            }
        }
        self::fail("product $name not found");
    }
}
