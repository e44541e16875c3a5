<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Client;

/**
 * The native handle is owned by exactly one PHP object: no clone, no
 * serialization, freed in __destruct; the secret never shows.
 */
final class LifecycleTest extends TestCase
{
    public function testCloneIsForbiddenAndTheOriginalKeepsWorking(): void
    {
        $jc = self::client();
        try {
            $copy = clone $jc;
            self::fail('clone must be refused');
        } catch (\Error $e) {
            self::assertStringContainsString('private', $e->getMessage());
        }
        self::assertSame([], $jc->call('SandboxEcho'));
    }

    public function testSerializationIsForbidden(): void
    {
        $jc = self::client();
        $this->expectException(\LogicException::class);
        serialize($jc);
    }

    public function testUnserializationIsForbidden(): void
    {
        $this->expectException(\LogicException::class);
        unserialize('O:16:"JustClick\\Client":1:{s:6:"handle";i:1;}');
    }

    public function testDumpsShowNoSecret(): void
    {
        $sb = self::sandbox();
        $jc = self::client(['proxy' => '']);
        $jc->call('SandboxEcho');
        // var_export() and debug_zval_dump() ignore __debugInfo(): every
        // object below the client is shown with all its properties.
        $dump = print_r($jc, true) . var_export($jc, true) . var_export($jc->__debugInfo(), true);
        ob_start();
        var_dump($jc);
        debug_zval_dump($jc);
        $dump .= ob_get_clean();
        $dump .= print_r((array) $jc, true) . json_encode((array) $jc) . print_r(get_object_vars($jc), true);
        self::assertStringContainsString('demo', $dump);
        self::assertStringContainsString(Support\Sandbox::engine(), $dump);
        self::assertStringNotContainsString($sb->secret, $dump);
        self::assertStringNotContainsString(md5($sb->secret), $dump);
    }

    public function testTracesShowNoSecret(): void
    {
        // Debian's php.ini hides arguments in traces; a developer's may not.
        $old = ini_set('zend.exception_ignore_args', '0');
        try {
            $secret = 'sekret-' . bin2hex(random_bytes(6));
            try {
                new Client('not a login', $secret, ['lib' => Support\Sandbox::lib(), 'proxy' => "http://u:$secret@127.0.0.1:1"]);
                self::fail('the login must be refused');
            } catch (\JustClick\InvalidArgumentException $e) {
                $text = (string) $e . $e->getTraceAsString() . print_r($e->getTrace(), true);
                self::assertStringContainsString('not a login', $text, 'arguments are in the trace');
                self::assertStringNotContainsString($secret, $text);
                self::assertStringContainsString('SensitiveParameterValue', $text);
            }
        } finally {
            ini_set('zend.exception_ignore_args', (string) $old);
        }
    }

    public function testManyClientsComeAndGo(): void
    {
        $sb = self::sandbox();
        for ($i = 0; $i < 300; $i++) {
            $jc = new Client('demo', $sb->secret, $sb->options());
            if ($i % 50 === 0) {
                self::assertSame(['i' => (string) $i], $jc->call('SandboxEcho', ['i' => $i]));
            }
            unset($jc);
        }
        // Two clients at once, freed in either order.
        $a = self::client();
        $b = self::client();
        unset($a);
        self::assertSame(['x' => '1'], $b->call('SandboxEcho', ['x' => 1]));
    }

    public function testDestructIsIdempotentAndUseAfterFreeIsRefused(): void
    {
        $jc = self::client();
        $jc->__destruct();
        $jc->__destruct();
        $this->expectException(\LogicException::class);
        $jc->call('SandboxEcho');
    }

    public function testSubclassingIsImpossible(): void
    {
        self::assertTrue((new \ReflectionClass(Client::class))->isFinal());
    }
}
