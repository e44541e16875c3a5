<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\ApiException;
use JustClick\Client;
use JustClick\ClientInterface;

/**
 * Application code can type against JustClick\ClientInterface and replace
 * the client with a mock; the interface carries the documentation.
 */
final class ClientInterfaceTest extends TestCase
{
    public function testClientImplementsTheWholeInterface(): void
    {
        self::assertInstanceOf(ClientInterface::class, self::client());
        $public = array_filter(
            (new \ReflectionClass(Client::class))->getMethods(\ReflectionMethod::IS_PUBLIC),
            // Static helpers (remainingExecutionMs) are not part of what a
            // mock replaces: an instance's API is.
            static fn (\ReflectionMethod $m) => !$m->isStatic() && !str_starts_with($m->getName(), '__')
        );
        foreach ($public as $method) {
            self::assertTrue(
                method_exists(ClientInterface::class, $method->getName()),
                "Client::{$method->getName()} is declared in ClientInterface"
            );
        }
        foreach ((new \ReflectionClass(ClientInterface::class))->getMethods() as $method) {
            $doc = (string) $method->getDocComment();
            self::assertStringContainsString('@return', $doc, $method->getName());
            self::assertStringNotContainsString('{@inheritDoc}', $doc);
        }
    }

    public function testApplicationCodeCanUseAMock(): void
    {
        $jc = $this->createMock(ClientInterface::class);
        $jc->method('getBills')->willReturn([258367 => [12549 => ['good_name' => 'oplata', 'good_title' => 'Оплата']]]);
        $jc->method('deleteOrder')->willThrowException(new ApiException('Заказ не существует', 200));

        $ordersOf = static fn (ClientInterface $c, string $email): array => array_keys($c->getBills($email));
        self::assertSame([258367], $ordersOf($jc, 'client@example.com'));
        $e = self::thrown(ApiException::class, static fn () => $jc->deleteOrder(1111));
        self::assertSame(200, $e->getCode());
    }

    public function testPhpstanConfigurationIsLevel8OnTheBinding(): void
    {
        $neon = (string) file_get_contents(dirname(__DIR__) . '/phpstan.neon');
        self::assertMatchesRegularExpression('/^\s+level: 8$/m', $neon);
        self::assertMatchesRegularExpression('/^\s+- src$/m', $neon);
    }
}
