<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\ApiException;
use JustClick\ExceptionInterface;

/**
 * The exception hierarchy as PHP code expects it: a PHP-FIG style marker
 * interface, nothing named like \Exception in the namespace, and
 * ApiException built in \RuntimeException's argument order.
 */
final class ExceptionsTest extends TestCase
{
    public function testMarkerInterfaceIsNamedAsPhpFigDoes(): void
    {
        self::assertTrue(interface_exists(ExceptionInterface::class));
        // `JustClick\Exception` would shadow \Exception inside the namespace.
        self::assertFalse(interface_exists('JustClick\\Exception'));
        self::assertFalse(class_exists('JustClick\\Exception'));
        foreach (glob(dirname(__DIR__) . '/src/JustClick/*Exception.php') ?: [] as $file) {
            $class = 'JustClick\\' . basename($file, '.php');
            self::assertTrue(is_subclass_of($class, ExceptionInterface::class), "$class implements ExceptionInterface");
            self::assertTrue(is_subclass_of($class, \Exception::class), "$class is an \\Exception");
        }
    }

    public function testApiExceptionTakesMessageThenCode(): void
    {
        $previous = new \RuntimeException('cause');
        $e = new ApiException('Заказ не существует', 200, $previous);
        self::assertSame('Заказ не существует', $e->getMessage());
        self::assertSame(200, $e->getCode());
        self::assertSame(200, $e->getErrorCode());
        self::assertSame('Заказ не существует', $e->getErrorText());
        self::assertSame($previous, $e->getPrevious());
        self::assertSame(0, (new ApiException('no code'))->getCode());
    }

    public function testServiceErrorKeepsItsCode(): void
    {
        $e = self::thrown(ApiException::class, fn () => self::client()->deleteOrder('no-such-order'));
        self::assertInstanceOf(ExceptionInterface::class, $e);
        self::assertSame(200, $e->getCode());
        self::assertSame('Заказ не существует', $e->getMessage());
    }
}
