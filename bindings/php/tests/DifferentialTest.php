<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Client;
use JustClick\Pure\Table;
use JustClick\Tests\Support\Sandbox;

/**
 * The same random calls through both engines, each from the same sandbox
 * state: the request bodies must be the same bytes (or both engines must
 * send nothing), and the results, or the exception classes and messages,
 * the same. Seeded: a failure names its seed and call.
 *
 * Drives both engines itself: run once.
 *
 * @group once
 */
final class DifferentialTest extends TestCase
{
    private const SEED = 20261207;

    private const CALLS = 400;

    /** @return array{ffi: Client, php: Client} */
    private static function clients(): array
    {
        $sb = self::sandbox();
        return [
            'ffi' => new Client(Sandbox::LOGIN, $sb->secret, ['lib' => Sandbox::lib(), 'base_url' => $sb->baseUrl]),
            'php' => new Client(Sandbox::LOGIN, $sb->secret, ['engine' => 'php', 'base_url' => $sb->baseUrl]),
        ];
    }

    /**
     * Runs $call on each engine from a fresh sandbox and returns what
     * happened: the outcome and the body that reached the sandbox.
     *
     * @param callable(Client): mixed $call
     *
     * @return array<string, array{outcome: mixed, body: string|null}>
     */
    private static function both(callable $call): array
    {
        $sb = self::sandbox();
        $out = [];
        foreach (self::clients() as $engine => $jc) {
            $sb->reset();
            $before = $sb->stats()['requests'];
            try {
                $outcome = ['value' => $call($jc)];
            } catch (\Throwable $e) {
                $outcome = ['class' => get_class($e), 'message' => $e->getMessage(), 'code' => $e->getCode()];
            }
            $stats = $sb->stats();
            $out[$engine] = [
                'outcome' => $outcome,
                'body' => $stats['requests'] > $before ? $stats['last_body'] : null,
            ];
        }
        return $out;
    }

    /** @param array<string, array{outcome: mixed, body: string|null}> $r */
    private static function assertSameOutcome(array $r, string $what): void
    {
        self::assertSame($r['ffi']['body'], $r['php']['body'], "request body of $what");
        self::assertSame($r['ffi']['outcome'], $r['php']['outcome'], "outcome of $what");
    }

    public function testRandomTableCallsAreTheSameOnBothEngines(): void
    {
        mt_srand(self::SEED);
        $names = array_keys(Table::METHODS);
        $errors = 0;
        for ($i = 0; $i < self::CALLS; $i++) {
            $name = $names[mt_rand(0, count($names) - 1)];
            $m = Table::METHODS[$name];
            $params = self::randomParams($m);
            $what = "call #$i (seed " . self::SEED . ") $name " . json_encode($params, JSON_UNESCAPED_UNICODE | JSON_PARTIAL_OUTPUT_ON_ERROR);
            $fn = lcfirst(str_replace('_', '', ucwords($m['snake'], '_')));
            if ($m['legacy_typed']) {
                // The legacy four through the generic call (their typed
                // methods have fixed signatures, tested below).
                $r = self::both(static fn (Client $jc) => $jc->call($name, $params));
            } else {
                $r = self::both(static fn (Client $jc) => $jc->$fn($params));
            }
            self::assertSameOutcome($r, $what);
            $errors += isset($r['ffi']['outcome']['class']) ? 1 : 0;
        }
        // Both kinds must have been exercised for the comparison to mean much.
        self::assertGreaterThan(self::CALLS / 10, $errors, 'too few failures');
        self::assertLessThan(self::CALLS * 9 / 10, $errors, 'too few successes');
    }

    public function testTheLegacyFourAreTheSameOnBothEngines(): void
    {
        mt_srand(self::SEED + 1);
        $ids = ['1111', '100000', '258367', '', '0', 'abc', "12\u{0301}", '99999999999999999999', ' 1', '-5'];
        $statuses = ['sent', 'paid', 'return', 'cancel', 'Sent', '', 'lost'];
        $emails = ['client@example.com', 'nobody@example.com', 'not-an-email', '', 'a@b', 'Иван@пример.рф'];
        for ($i = 0; $i < 60; $i++) {
            $id = $ids[mt_rand(0, count($ids) - 1)];
            $status = $statuses[mt_rand(0, count($statuses) - 1)];
            $date = [null, 1362254400, 1, 4102444800, 99999999999][mt_rand(0, 4)];
            $rpo = [null, '', '10000000000000', 'RA123'][mt_rand(0, 3)];
            $email = $emails[mt_rand(0, count($emails) - 1)];
            $pay = [null, 'paid', 'waiting', 'cancel', 'bogus'][mt_rand(0, 4)];
            self::assertSameOutcome(self::both(static fn (Client $jc) => $jc->deleteOrder($id)), "deleteOrder($id)");
            self::assertSameOutcome(
                self::both(static fn (Client $jc) => $jc->updateOrderStatus($id, $status, $date, $rpo)),
                "updateOrderStatus($id, $status, $date, $rpo)"
            );
            self::assertSameOutcome(self::both(static fn (Client $jc) => $jc->getBills($email, $pay)), "getBills($email, $pay)");
        }
        $good = self::superTovar();
        self::assertSameOutcome(self::both(static fn (Client $jc) => $jc->updateGood($good)), 'updateGood(super_tovar)');
        foreach (['good_sum' => 'x', 'parent_id' => 1.5, 'good_mail_format' => 'pdf', 'unknown_field' => 1, 'good_name' => ''] as $k => $v) {
            $bad = [$k => $v] + $good;
            self::assertSameOutcome(self::both(static fn (Client $jc) => $jc->updateGood($bad)), "updateGood with $k");
        }
    }

    public function testGenericCallsAndBatchesAreTheSameOnBothEngines(): void
    {
        mt_srand(self::SEED + 2);
        for ($i = 0; $i < 80; $i++) {
            $params = self::randomValue(3);
            $params = is_array($params) ? $params : ['v' => $params];
            $method = ['SandboxEcho', 'SandboxEcho', 'GetBills', 'No Such', 'sandboxecho', 'Sandbox/Echo', ''][mt_rand(0, 6)];
            self::assertSameOutcome(
                self::both(static fn (Client $jc) => $jc->call($method, $params)),
                "call($method) #$i " . json_encode($params, JSON_UNESCAPED_UNICODE | JSON_PARTIAL_OUTPUT_ON_ERROR)
            );
        }
        // Past serde_json's nesting limit: the library's own refusal of the
        // JSON argument, with its position, on both engines.
        $deep = 'x';
        for ($i = 0; $i < 130; $i++) {
            $deep = ['d' => $deep];
        }
        self::assertSameOutcome(self::both(static fn (Client $jc) => $jc->call('SandboxEcho', ['p' => $deep])), 'call, 130 levels');
        $r = self::both(static fn (Client $jc) => $jc->callBatch([['method' => 'SandboxEcho', 'params' => ['p' => $deep]]]));
        self::assertSame($r['ffi']['outcome'], $r['php']['outcome'], 'batch, 130 levels');
        self::assertStringContainsString('recursion limit exceeded', $r['php']['outcome']['message'] ?? '');
        // Each DeleteOrder names another order: concurrent calls must not
        // race for one (which one wins would depend on timing, not engine).
        $calls = [];
        $orders = ['1111', '258367', '258368', '999999'];
        for ($i = 0; $i < 12; $i++) {
            $calls["k$i"] = ['method' => ['SandboxEcho', 'DeleteOrder', 'Bad Name'][$i % 3], 'params' => ['bill_id' => $orders[intdiv($i, 3)], 'i' => $i]];
        }
        $normalize = static function (array $results): array {
            return array_map(
                static fn ($r) => $r instanceof \Throwable ? [get_class($r), $r->getMessage(), $r->getCode()] : $r,
                $results
            );
        };
        foreach ([1, 3, 64] as $concurrency) {
            $r = self::both(static fn (Client $jc) => $normalize($jc->callBatch($calls, $concurrency)));
            self::assertSame($r['ffi']['outcome'], $r['php']['outcome'], "batch at concurrency $concurrency");
        }
        foreach ([0, 65, -1] as $concurrency) {
            $r = self::both(static fn (Client $jc) => $jc->callBatch($calls, $concurrency));
            self::assertSame($r['ffi']['outcome'], $r['php']['outcome'], "batch at concurrency $concurrency");
        }
    }

    public function testOptionsAreCheckedTheSameWay(): void
    {
        $sb = self::sandbox();
        $cases = [
            ['timeout_ms' => 0], ['timeout_ms' => 3_600_001], ['timeout_ms' => -1], ['timeout_ms' => 1.5],
            ['timeout_ms' => '30s'], ['timeout_ms' => '250'], ['connect_timeout_ms' => true],
            ['batch_timeout_ms' => 86_400_001], ['rate_limit_retries' => 11], ['max_response_bytes' => 0],
            ['max_response_bytes' => (1 << 30) + 1], ['persistent' => 1], ['allow_insecure_http' => 'yes'],
            ['base_url' => 'ftp://h'], ['base_url' => 'http://example.com'], ['base_url' => 'http://u:p@127.0.0.1'],
            ['base_url' => 'http://127.0.0.1:99999'], ['base_url' => 'http://127.0.0.1/?q=1'], ['base_url' => ''],
            ['base_url' => 'http://127.0.0.1 x'], ['base_url' => '127.0.0.1:8089'], ['base_url' => 'http://'],
            ['base_url' => 'http://example.com', 'allow_insecure_http' => true], ['user_agent' => ''],
            ['user_agent' => "bad\nagent"], ['user_agent' => str_repeat('a', 257)], ['proxy' => 'ftp://p'],
            ['proxy' => 'http://'], ['proxy' => 'http://p:0'], ['proxy' => 'http://p/path'], ['proxy' => ''],
            ['proxy' => 'socks5h://127.0.0.1:1080'], ['ca_file' => '/nonexistent.pem'], ['ca_file' => __FILE__],
            ['unknown' => 1], ['idle_timeout_ms' => 0], ['rate_limit_backoff_ms' => 60_001],
        ];
        foreach ($cases as $options) {
            $outcomes = [];
            foreach (['ffi' => ['lib' => Sandbox::lib()], 'php' => ['engine' => 'php']] as $engine => $how) {
                try {
                    new Client(Sandbox::LOGIN, $sb->secret, $options + $how + ['base_url' => $sb->baseUrl]);
                    $outcomes[$engine] = 'created';
                } catch (\Throwable $e) {
                    $outcomes[$engine] = get_class($e) . ': ' . $e->getMessage();
                }
            }
            self::assertSame($outcomes['ffi'], $outcomes['php'], 'options ' . json_encode($options));
        }
        foreach (['', 'a b', '-a', str_repeat('a', 64), 'логин', 'a.b'] as $login) {
            $outcomes = [];
            foreach (['ffi' => ['lib' => Sandbox::lib()], 'php' => ['engine' => 'php']] as $engine => $how) {
                try {
                    new Client($login, 's', $how);
                    $outcomes[$engine] = 'created';
                } catch (\Throwable $e) {
                    $outcomes[$engine] = get_class($e) . ': ' . $e->getMessage();
                }
            }
            self::assertSame($outcomes['ffi'], $outcomes['php'], "login $login");
        }
        foreach (['', "a\tb", str_repeat('x', 4097)] as $secret) {
            $outcomes = [];
            foreach (['ffi' => ['lib' => Sandbox::lib()], 'php' => ['engine' => 'php']] as $engine => $how) {
                try {
                    new Client('demo', $secret, $how);
                    $outcomes[$engine] = 'created';
                } catch (\Throwable $e) {
                    $outcomes[$engine] = get_class($e) . ': ' . $e->getMessage();
                }
            }
            self::assertSame($outcomes['ffi'], $outcomes['php'], 'secret of ' . strlen($secret) . ' bytes');
        }
    }

    /**
     * Parameters for $m: mostly valid ones of the declared types, sometimes
     * a wrong type, a missing required one or an unknown key.
     *
     * @param array<string, mixed> $m
     *
     * @return array<string, mixed>
     */
    private static function randomParams(array $m): array
    {
        $params = [];
        foreach ($m['params'] as $name => [$required, $type]) {
            if (!$required && mt_rand(0, 2) === 0) {
                continue;
            }
            if ($required && mt_rand(0, 30) === 0) {
                continue;
            }
            $params[$name] = mt_rand(0, 12) === 0 ? self::randomValue(1) : self::valueOf($type);
        }
        if (mt_rand(0, 15) === 0) {
            $params[['bogus', 'lead_emial', 'Bill_id', 'hash', '__Host-x'][mt_rand(0, 4)]] = 'x';
        }
        if ($m['good_fields'] && mt_rand(0, 1) === 0) {
            foreach (Table::GOOD_FIELDS as $field => $type) {
                if (mt_rand(0, 3) === 0) {
                    $params[$field] = self::valueOf(is_array($type) ? $type : $type);
                }
            }
        }
        return $params;
    }

    /** A value of a declared type (sometimes at or past its edges). */
    private static function valueOf(mixed $type): mixed
    {
        if (is_array($type)) {
            $values = $type[1];
            return mt_rand(0, 6) === 0 ? 'not-' . $values[0] : $values[mt_rand(0, count($values) - 1)];
        }
        $texts = ['Анна', 'x', '', ' ', 'a&b=c', '1+1', '😀', "tab\there", '%41', str_repeat('я', 70), '0', '12'];
        return match ($type) {
            'id_list' => array_slice(['second', 'g1', 'группа', 'a b'], 0, mt_rand(0, 3)) ?: 'second',
            'id_or_list' => mt_rand(0, 1) ? 'second' : ['second', 'g2'],
            'email' => ['anna@example.com', 'client@example.com', 'bad', '', 'a@b.c', ' anna@example.com'][mt_rand(0, 5)],
            'url' => ['https://shop.example/thanks', 'http://x', 'not a url', '', 'https://мойсайт.рф/'][mt_rand(0, 4)],
            'bool', 'flag' => [true, false, 1, 0, '1', '0', 'yes'][mt_rand(0, 6)],
            'int' => [0, 1, 42, -1, PHP_INT_MAX, '7', '7.5', 1.0, 2.5][mt_rand(0, 8)],
            'number' => [1490, 0, 99.99, -1, '12.50', 'abc', 1e13, 0.1][mt_rand(0, 7)],
            'utm' => mt_rand(0, 3) ? ['utm_source' => 'mail', 'utm_medium' => 'cpc'] : ['utm_bogus' => 'x'],
            'goods' => mt_rand(0, 4) ? [['good_name' => 'super_tovar'], ['good_name' => 'oplata', 'good_sum' => 100]] : [['good_sum' => 5]],
            'timer_kill' => [true, false, 1, '2'][mt_rand(0, 3)],
            'unix_seconds' => [1362254400, 0, -1, 1700000000, '1700000000', 'today'][mt_rand(0, 5)],
            'domain' => ['shop.example', 'bad domain', '', 'мойсайт.рф'][mt_rand(0, 3)],
            'date_dmy' => ['01.01.2026', '31.12.2025', '2026-01-01', '32.01.2026', date('d.m.Y', time() - 86400 * mt_rand(0, 120))][mt_rand(0, 4)],
            'date_ymd' => ['2026-01-01', '2025-12-31', '01.01.2026', '2026-02-30'][mt_rand(0, 3)],
            'string' => $texts[mt_rand(0, count($texts) - 1)],
            'float' => [1.5, 100, '99.90', 'x', 0][mt_rand(0, 4)],
            default => $texts[mt_rand(0, count($texts) - 1)],
        };
    }

    /** Any JSON-like PHP value, nested at most $depth levels. */
    private static function randomValue(int $depth): mixed
    {
        $k = mt_rand(0, $depth > 0 ? 9 : 6);
        return match ($k) {
            0 => null,
            1 => (bool) mt_rand(0, 1),
            2 => mt_rand(-1000, 1000),
            3 => mt_rand(0, 1) ? 0.1 * mt_rand(-100, 100) : [1.0, 1e13, 1e15, 206445153832105.0, 1.5e-7, -0.0, 123456789.125][mt_rand(0, 6)],
            4, 5, 6 => ['', 'Иван 😀', 'a b&c=d', "\u{0}x", '100%', str_repeat('z', mt_rand(0, 50))][mt_rand(0, 5)],
            7 => [self::randomValue($depth - 1), self::randomValue($depth - 1)],
            default => ['a' => self::randomValue($depth - 1), 'b[c]' => self::randomValue($depth - 1), '7' => 'x'],
        };
    }
}
