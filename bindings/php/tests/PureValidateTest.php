<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\Client;
use JustClick\InvalidArgumentException;
use JustClick\Pure\Table;
use JustClick\Pure\Validate;
use JustClick\Pure\Wire;
use JustClick\Tests\Support\Sandbox;

/**
 * The pure-PHP engine's validation (JustClick\Pure\Validate) against the
 * library through the FFI engine: for the same input, either the same
 * refusal (class and message) or the same signed body on the wire (the
 * sandbox's last_body). Drives both engines itself.
 *
 * @group once
 */
final class PureValidateTest extends TestCase
{
    /** How many cases compared their bodies and their refusals (both must happen). */
    private int $bodies = 0;

    private int $refusals = 0;

    public function testEveryTableMethodEveryParamEveryKindOfValue(): void
    {
        $jc = self::client();
        foreach (Table::METHODS as $name => $m) {
            if ($m['legacy_typed']) {
                continue;
            }
            $base = self::validParams($name);
            $this->same($jc, $name, $base);
            $this->same($jc, $name, []);
            foreach ($m['params'] as $param => [$required, $ty]) {
                foreach (self::pool($ty) as $v) {
                    $this->same($jc, $name, [$param => $v] + $base);
                    $this->same($jc, $name, array_merge($base, [$param => $v]));
                }
                $without = $base;
                unset($without[$param]);
                $this->same($jc, $name, $without);
                $this->same($jc, $name, [$param => null] + $base);
            }
            foreach (self::typos(array_keys($m['params'])) as $typo) {
                $this->same($jc, $name, $base + [$typo => 'x']);
            }
            if ($m['good_fields']) {
                foreach (Table::GOOD_FIELDS as $field => $ty) {
                    foreach (self::goodPool($ty) as $v) {
                        $this->same($jc, $name, $base + [$field => $v]);
                    }
                }
            }
        }
        self::assertGreaterThan(500, $this->bodies);
        self::assertGreaterThan(500, $this->refusals);
    }

    public function testBoundaries(): void
    {
        $jc = self::client();
        $cases = [
            ['GetOrders', ['date_s' => 253402300799]],
            ['GetOrders', ['date_s' => 253402300800]],
            ['GetOrders', ['date_s' => 1, 'date_e' => '0']],
            ['GetOrders', ['date_s' => ' 17 ', 'date_e' => '999999999999999999']],
            ['GetOrders', ['date_s' => '1234567890123456789']],
            ['GetOrders', ['date_s' => '-5', 'paid' => 'false']],
            ['getOrderDetails', ['bill_id' => PHP_INT_MAX]],
            ['getOrderDetails', ['bill_id' => PHP_INT_MIN]],
            ['getOrderDetails', ['bill_id' => '+5']],
            ['getOrderDetails', ['bill_id' => " 7\u{3000}"]],
            ['GetPartnerStats', ['partner' => 'p', 'date_from' => '2000-02-29', 'date_to' => '2100-02-29']],
            ['GetPartnerStats', ['partner' => 'p', 'date_from' => '1969-12-31']],
            ['GetPartnerStats', ['partner' => 'p', 'date_from' => '9999-12-31', 'date_to' => '0000-01-01']],
            ['GetPartnerStats', ['partner' => "\u{2003}"]],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1', 'good_sum' => '999999999999999.999999999999999']], 'bill_email' => 'a@b.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1', 'good_sum' => '1000000000000000']], 'bill_email' => 'a@b.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1', 'good_sum' => '-0']], 'bill_email' => 'a@b.ru']],
            ['CreateOrder', ['goods' => [['good_sum' => 5, 'good_name' => 'tovar1'], null], 'bill_email' => 'a@b.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1', 'good_sum' => -1e300]], 'bill_email' => 'a@b.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1', 'good_sum' => -1e-7]], 'bill_email' => 'a@b.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1', 'good_sum' => -123456789.125]], 'bill_email' => 'a@b.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1', 'good_sum' => 1e20]], 'bill_email' => 'a@b.ru', 'bill_phone' => 1e25]],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1', 'good_sum' => 0.1 + 0.2]], 'bill_email' => 'a@b.ru', 'bill_phone' => -0.0]],
            ['CreateOrder', ['goods' => [['good_nme' => 'tovar1']], 'bill_email' => 'a@b.ru']],
            ['CreateOrder', ['goods' => [(object) ['good_name' => 'tovar1']], 'bill_email' => 'a@b.ru', 'utm' => (object) []]],
            ['CreateOrder', ['goods' => (object) ['good_name' => 'tovar1'], 'bill_email' => 'a@b.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => 'a@b.ru', 'utm' => ['UTM_SOURCE' => 'x']]],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => 'a@b.ru', 'utm' => ['source' => 'x']]],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => 'a@b.ru', 'utm' => ['utm_term' => null, 'aff_term' => 5]]],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => 'a@b.ru', 'bill_domain' => 'HTTPS://shop.ru//']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => 'a@b.ru', 'bill_domain' => 'http://']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => 'a@b.ru', 'bill_domain' => "shop\u{a0}.ru"]],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => 'a@b.ru', 'bill_timer_kill' => 'true']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => 'a@b.ru', 'bill_timer_kill' => 2]],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => str_repeat('a', 64) . '@' . str_repeat('b', 185) . '.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => str_repeat('a', 65) . '@b.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => str_repeat('a', 64) . '@' . str_repeat('b', 186) . '.ru']],
            ['CreateOrder', ['goods' => [['good_name' => 'tovar1']], 'bill_email' => "иван@почта.рф\u{85}"]],
            ['AddLeadToGroup', ['rid' => ['g1'], 'lead_email' => 'a@b.ru', 'doneurl2' => 'HtTpS://é.рф/x?y#z']],
            ['AddLeadToGroup', ['rid' => ['g1'], 'lead_email' => 'a@b.ru', 'doneurl2' => 'http://é']],
            ['AddLeadToGroup', ['rid' => ['g1'], 'lead_email' => 'a@b.ru', 'doneurl2' => 'http://?x']],
            ['AddLeadToGroup', ['rid' => ['g1'], 'lead_email' => 'a@b.ru', 'doneurl2' => "http://x.ru/\x7f"]],
            ['AddLeadToGroup', ['rid' => ['g1'], 'lead_email' => 'a@b.ru', 'noaff' => 1.5, 'utm' => []]],
            ['AddLeadToGroup', ['rid' => [1 => 'g1'], 'lead_email' => 'a@b.ru']],
            ['AddLeadToGroup', ['rid' => [[]], 'lead_email' => 'a@b.ru']],
            ['AddLeadToGroup', [0 => 'x', 'rid' => 'g1', 'lead_email' => 'a@b.ru']],
            ['AddLeadToGroup', [str_repeat('lead_email', 7) => 1]],
            ['AddLeadToGroup', ["lead\u{1}email" => 1]],
            ['AddLeadToGroup', ['rid' => 'g1', 'lead_email' => str_repeat('é', 70) . "\t\r\n\u{9f}"]],
            ['AddLeadToGroup', ['rid' => 'g1', 'lead_email' => str_repeat('é', 59) . "\u{0}x"]],
            ['AddGood', ['good_name' => 'n1', 'good_type' => 1.0, 'good_title' => 't', 'good_sum' => '5', 'good_only_countries' => "RUS,\u{2028}UKR"]],
            ['AddGood', ['good_sum' => 5, 'good_title' => 't', 'good_type' => '0', 'good_name' => 'n2', 'good_timer_duration' => '0']],
            ['AddGood', ['good_name' => 'n3', 'good_type' => '1', 'good_title' => 't', 'good_sum' => 5, 'parent_id' => '-0', 'good_timer_duration' => '+9223372036854775807']],
            ['AddGood', ['good_name' => 'n3', 'good_type' => '1', 'good_title' => 't', 'good_sum' => 5, 'parent_id' => '9223372036854775808']],
            ['AddGood', ['good_name' => 'n3', 'good_type' => '1', 'good_title' => 't', 'good_sum' => 5, 'good_rashod' => '1' . str_repeat('0', 400)]],
            ['AddGood', ['good_name' => 'n3', 'good_type' => '1', 'good_title' => 't', 'good_sum' => 5, 'good_rashod' => ' .5 ', 'good_rashod_perc' => '5.']],
            ['AddGood', ['good_name' => 'n3', 'good_type' => '1', 'good_title' => 't', 'good_sum' => 5, 'good_partner_sl_link' => 'x']],
        ];
        foreach ($cases as [$name, $params]) {
            $this->same($jc, $name, $params);
        }
        // Nesting: serde_json's limit, with its column.
        foreach ([126, 127, 130] as $levels) {
            $deep = 1;
            for ($i = 0; $i < $levels; $i++) {
                $deep = [$deep];
            }
            $this->same($jc, 'CreateOrder', ['goods' => $deep, 'bill_email' => 'a@b.ru']);
            $this->same($jc, 'CreateOrder', ['bill_email' => 'a"[b@c.ru', 'goods' => $deep]);
        }
        // What json_encode refuses.
        $this->same($jc, 'CreateOrder', ['goods' => [['good_name' => "\xff"]], 'bill_email' => 'a@b.ru']);
        $this->same($jc, 'CreateOrder', ['goods' => [['good_name' => 'x', 'good_sum' => NAN]], 'bill_email' => 'a@b.ru']);
        self::assertGreaterThan(10, $this->bodies);
        self::assertGreaterThan(10, $this->refusals);
    }

    public function testSeededRandomCalls(): void
    {
        $jc = self::client();
        mt_srand(20240611);
        $names = array_keys(array_filter(Table::METHODS, static fn ($m) => !$m['legacy_typed']));
        for ($n = 0; $n < 600; $n++) {
            $name = $names[mt_rand(0, count($names) - 1)];
            $m = Table::METHODS[$name];
            $valid = self::validParams($name);
            $params = [];
            foreach ($m['params'] as $param => [$required, $ty]) {
                $r = mt_rand(0, 9);
                if ($r < 5) {
                    $params[$param] = $valid[$param];
                } elseif ($r < 8) {
                    $pool = self::pool($ty);
                    $params[$param] = $pool[mt_rand(0, count($pool) - 1)];
                }
            }
            if ($m['good_fields'] && mt_rand(0, 1) === 1) {
                $fields = array_keys(Table::GOOD_FIELDS);
                $field = $fields[mt_rand(0, count($fields) - 1)];
                $pool = self::goodPool(Table::GOOD_FIELDS[$field]);
                $params[$field] = $pool[mt_rand(0, count($pool) - 1)];
            }
            if (mt_rand(0, 9) === 0) {
                $typos = self::typos(array_keys($m['params']));
                $params[$typos[mt_rand(0, count($typos) - 1)]] = 1;
            }
            $keys = array_keys($params);
            shuffle($keys);
            $shuffled = [];
            foreach ($keys as $k) {
                $shuffled[$k] = $params[$k];
            }
            $this->same($jc, $name, $shuffled);
        }
        self::assertGreaterThan(50, $this->bodies);
        self::assertGreaterThan(50, $this->refusals);
    }

    public function testTheFourTypedEndpoints(): void
    {
        $jc = self::client();
        $texts = ['1111', '', ' ', "\u{3000}", '0', 'é', "\xff\xfe", "a\xc3", "12\0", str_repeat('x', 100), "a\nb"];
        foreach ($texts as $billId) {
            $this->compare(fn () => $jc->deleteOrder($billId), fn () => Validate::deleteOrder($billId));
        }
        $statuses = ['sent', 'paid', 'return', 'cancel', 'PAID', '', "\xff", "a\0"];
        $dates = [null, 1, 1362254400, 253402300799, 253402300800, 1362254400000, -5, 0];
        $rpos = [null, '', ' ', '10000000000000', "\xff", "r\0"];
        foreach (['100000', '', ' ', "\xff", 7] as $billId) {
            foreach ($statuses as $status) {
                foreach ($dates as $date) {
                    foreach ($rpos as $rpo) {
                        $this->compare(
                            fn () => $jc->updateOrderStatus($billId, $status, $date, $rpo),
                            fn () => self::pureUpdateOrderStatus((string) $billId, $status, $date, $rpo)
                        );
                    }
                }
            }
        }
        $emails = ['client@example.com', '', ' ', 'plain', '@example.com', 'a@', 'a@b', 'a@@b.ru', 'a b@c.ru',
            'a@b..ru', 'a@.b.ru', 'a@b.ru.', "a@b.ru\n", 'a@b,ru.com', 'a@-b.ru', 'иван@почта.рф', "\xff@b.ru",
            "a\0@b.ru", str_repeat('a', 64) . '@b.ru', str_repeat('a', 65) . '@b.ru', "a@b'c.ru", "a\u{2009}@b.ru"];
        foreach ($emails as $email) {
            foreach ([null, '', 'paid', 'waiting', 'cancel', 'PAID', "\xff", "p\0"] as $pay) {
                $this->compare(fn () => $jc->getBills($email, $pay), fn () => Validate::getBills($email, $pay));
            }
        }
        self::assertGreaterThan(100, $this->bodies);
        self::assertGreaterThan(100, $this->refusals);
    }

    public function testUpdateGood(): void
    {
        $jc = self::client();
        $goods = [self::superTovar(), [], ['good_name' => 'super_tovar'], ['good_title' => 't'], ['good_name' => null],
            ['good_name' => ''], ['good_name' => ' '], ['good_name' => 5], ['good_name' => 1.0], ['good_name' => 1.5],
            ['good_name' => true], ['good_name' => []], ['good_name' => 'x', 'zzz' => 1], ['zzz' => 1, 'good_title' => 5],
            ['good_name' => 'x', 'good_Title' => 1], ['good_name' => 'x', 'good_title' => [], 'good_sum' => -1],
            ['good_sum' => -1, 'good_name' => 'x', 'parent_id' => -2], ['good_name' => 'x', 'good_only_countries' => 'RUS, UKR'],
            ['good_name' => 'x', 'good_timer_duration' => 0, 'good_only_countries' => ' '], [0 => 'x'],
            ['good_name' => 'x', 'good_title' => "\xff"], ['good_name' => 'x', 'good_sum' => INF]];
        foreach (Table::GOOD_FIELDS as $field => $ty) {
            foreach (self::goodPool($ty) as $v) {
                $goods[] = ['good_name' => 'super_tovar', $field => $v];
                $goods[] = [$field => $v, 'good_name' => 'super_tovar'];
            }
        }
        $deep = 1;
        for ($i = 0; $i < 130; $i++) {
            $deep = [$deep];
        }
        $goods[] = ['good_name' => 'x', 'good_title' => $deep];
        $goods[] = ['good_title' => 5, 'good_mail_body' => $deep];
        foreach ($goods as $good) {
            $this->compare(fn () => $jc->updateGood($good), fn () => Validate::updateGood($good));
        }
        self::assertGreaterThan(100, $this->bodies);
        self::assertGreaterThan(100, $this->refusals);
    }

    /**
     * The four typed methods through the table (Client::call_method in
     * Rust, which no C function reaches): the results and texts of
     * src/api/validate.rs, worked out by hand.
     */
    public function testTheTypedMethodsThroughTheTable(): void
    {
        $ok = [
            ['UpdateOrderStatus', ['bill_id' => '1', 'status' => 'paid', 'date' => '5', 'rpo' => ' '],
                ['bill_id' => '1', 'status' => 'paid', 'date' => 5, 'rpo' => ' ']],
            ['UpdateOrderStatus', ['status' => 'cancel', 'bill_id' => 17, 'rpo' => 0], ['status' => 'cancel', 'bill_id' => 17, 'rpo' => 0]],
            ['DeleteOrder', ['bill_id' => ' 5 '], ['bill_id' => ' 5 ']],
            ['GetBills', ['pay_status' => 'paid', 'email' => 'a@b.ru'], ['pay_status' => 'paid', 'email' => 'a@b.ru']],
            ['UpdateGood', ['good_timer' => true, 'good_sum' => 5, 'good_name' => 'x'], ['good_name' => 'x', 'good_sum' => 5.0, 'good_timer' => 1]],
            ['AddGood', ['good_sum' => '5', 'good_type' => 1, 'good_title' => 't', 'good_name' => 'x'],
                ['good_name' => 'x', 'good_type' => '1', 'good_title' => 't', 'good_sum' => 5.0]],
        ];
        foreach ($ok as [$name, $params, $want]) {
            self::assertSame($want, Validate::method($name, $params), $name);
        }
        $bad = [
            ['UpdateOrderStatus', ['bill_id' => '1', 'status' => 'sent', 'date' => 5, 'rpo' => 1.5], "rpo (postal tracking number) is required for status 'sent'"],
            ['UpdateOrderStatus', ['bill_id' => '1', 'status' => 'sent', 'rpo' => 'x'], "date is required for status 'sent' (UNIX timestamp of the mailing)"],
            ['UpdateOrderStatus', ['bill_id' => '1', 'status' => 'Sent'], "status 'Sent' is not one of sent, paid, return, cancel"],
            ['UpdateOrderStatus', ['bill_id' => '1'], 'status is required by UpdateOrderStatus (one of the listed values): one of sent, paid, return, cancel'],
            ['UpdateOrderStatus', ['bill_id' => '1', 'status' => 'paid', 'date' => 0], 'date must be a positive UNIX time in seconds, got 0'],
            ['DeleteOrder', [], 'bill_id is required by DeleteOrder (text)'],
            ['DeleteOrder', ['bill_id' => '5', 'billid' => 1], "unknown DeleteOrder parameter 'billid' (did you mean 'bill_id'? names are case-sensitive)"],
            ['DeleteOrder', ['bill_id' => 1.5], 'bill_id must be a string or an integer, got a number'],
            ['GetBills', ['email' => 'a@b.ru', 'pay_status' => 'PAID'], "pay_status 'PAID' is not one of paid, waiting, cancel"],
            ['GetBills', ['pay_status' => 'paid'], 'email is required by GetBills (an e-mail address)'],
            ['UpdateGood', ['good_name' => ' '], 'good_name must not be empty'],
            ['UpdateGood', ['good_name' => 'x', 'good_titel' => 'y'], "unknown UpdateGood parameter 'good_titel' (did you mean 'good_title'? names are case-sensitive)"],
            ['UpdateGood', ['good_name' => 'x', 'good_sum' => -0.5], 'good_sum must be a non-negative number, got -0.5'],
        ];
        foreach ($bad as [$name, $params, $message]) {
            $e = self::thrown(InvalidArgumentException::class, fn () => Validate::method($name, $params));
            self::assertSame($message, $e->getMessage(), $name);
        }
    }

    /** The unknown-method error only the Rust API reaches: its texts, as src/api/mod.rs writes them. */
    public function testUnknownMethods(): void
    {
        $cases = [
            'addLeadToGroup' => "unknown method 'addLeadToGroup' (did you mean 'AddLeadToGroup'? method names are case-sensitive)",
            'GetOrderDetails' => "unknown method 'GetOrderDetails' (did you mean 'getOrderDetails'? method names are case-sensitive)",
            'GetAllGood' => "unknown method 'GetAllGood' (did you mean 'GetAllGoods'? method names are case-sensitive)",
            'GetBill' => "unknown method 'GetBill' (did you mean 'GetBills'? method names are case-sensitive)",
            'SandboxEcho' => "unknown method 'SandboxEcho' (use Client::call for methods outside the table)",
            "X\n" => "unknown method 'X\\n' (use Client::call for methods outside the table)",
        ];
        foreach ($cases as $name => $message) {
            $e = self::thrown(InvalidArgumentException::class, fn () => Validate::method($name, ['x' => 1]));
            self::assertSame($message, $e->getMessage());
        }
        // The params are read before the name, as the library does.
        $e = self::thrown(InvalidArgumentException::class, fn () => Validate::method('Nope', ['x' => NAN]));
        self::assertStringStartsWith('params cannot be sent: ', $e->getMessage());
    }

    public function testMethodNames(): void
    {
        $jc = self::client();
        $names = ['GetAllGoods', 'SandboxEcho', '', 'Get/../x', 'Get All', 'Get?x=1', 'Метод', str_repeat('A', 64),
            str_repeat('A', 65), "A\0B", "\xff", "Get\xc3"];
        foreach ($names as $name) {
            try {
                $jc->call($name, []);
                $lib = null;
            } catch (InvalidArgumentException $e) {
                $lib = $e->getMessage();
            } catch (\JustClick\ExceptionInterface $e) {
                $lib = null; // sent: the name passed
            }
            try {
                Validate::methodName($name);
                $pure = null;
            } catch (InvalidArgumentException $e) {
                $pure = $e->getMessage();
            }
            self::assertSame($lib, $pure, var_export($name, true));
        }
    }

    /** The comparison itself fails on a difference (the assertions can fail). */
    public function testTheComparisonNoticesDifferences(): void
    {
        $jc = self::client();
        $caught = 0;
        $wrongs = [
            [fn () => $jc->deleteOrder('1'), fn () => ['bill_id' => '2']],
            [fn () => $jc->deleteOrder(''), fn () => ['bill_id' => '']],
            [fn () => $jc->deleteOrder(''), fn () => throw new InvalidArgumentException('other text')],
            [fn () => $jc->deleteOrder('1'), fn () => throw new InvalidArgumentException('x')],
        ];
        foreach ($wrongs as [$ffi, $pure]) {
            try {
                $this->compare($ffi, $pure);
            } catch (\PHPUnit\Framework\AssertionFailedError $e) {
                $caught++;
            }
        }
        self::assertSame(count($wrongs), $caught);
    }

    /**
     * Compares the FFI engine's jc_<snake> call with Validate::method().
     *
     * @param array<array-key, mixed> $params
     */
    private function same(Client $jc, string $name, array $params): void
    {
        $php = lcfirst($name);
        // getOrdersWithGoods splits and rewrites its range after validation.
        $sends = $name !== 'getOrdersWithGoods';
        $this->compare(fn () => $jc->$php($params), fn () => Validate::method($name, $params), $sends, "$name " . var_export($params, true));
    }

    /**
     * Validate::updateOrderStatus as JustClick\Client calls jc_update_order_status.
     *
     * @return array<string, mixed>
     */
    private static function pureUpdateOrderStatus(string $billId, string $status, ?int $date, ?string $rpo): array
    {
        // The binding's own check of the date, after its NUL checks.
        if (!str_contains($billId . $status . (string) $rpo, "\0") && $date !== null && $date <= 0) {
            throw new InvalidArgumentException("date must be a positive UNIX timestamp, got $date");
        }
        return Validate::updateOrderStatus($billId, $status, max($date ?? 0, 0), $rpo);
    }

    /**
     * Runs both: the same InvalidArgumentException message, or (when the
     * FFI engine sent a request) the same signed body.
     */
    private function compare(callable $ffi, callable $pure, bool $sends = true, string $what = ''): void
    {
        $sb = self::sandbox();
        $before = $sb->stats()['requests'];
        $lib = null;
        try {
            $ffi();
        } catch (InvalidArgumentException $e) {
            $lib = $e;
        } catch (\JustClick\ExceptionInterface $e) {
            // Sent, and answered with an error: the body still counts.
        }
        $stats = $sb->stats();
        if ($lib !== null) {
            try {
                $pure();
                    if (str_starts_with($what, 'getOrdersWithGoods ') && preg_match('/^begin_date \S+ is after /', $lib->getMessage()) === 1) {
                    // The range's own rule (src/api/range.rs), after validation.
                    return;
                }
                self::fail('Validate accepted what the library refuses (' . $lib->getMessage() . '): ' . $what);
            } catch (InvalidArgumentException $e) {
                self::assertSame($lib->getMessage(), $e->getMessage(), $what);
            }
            self::assertSame($before, $stats['requests'], 'refused but sent: ' . $what);
            $this->refusals++;
            return;
        }
        try {
            $params = $pure();
        } catch (InvalidArgumentException $e) {
            self::fail('the library accepted what Validate refuses (' . $e->getMessage() . '): ' . $what);
        }
        if (!$sends) {
            return;
        }
        self::assertSame($before + 1, $stats['requests'], $what);
        self::assertSame(
            Wire::signedBody(Wire::encode($params), Sandbox::LOGIN, $sb->secret),
            $stats['last_body'],
            $what
        );
        $this->bodies++;
    }

    /** @return array<string, mixed> valid params of every declared kind */
    private static function validParams(string $name): array
    {
        $out = [];
        foreach (Table::METHODS[$name]['params'] as $param => [$required, $ty]) {
            $out[$param] = is_array($ty) ? $ty[1][0] : match ($ty) {
                'text' => 'x1',
                'int' => 5,
                'number' => 10,
                'bool' => true,
                'email' => 'a@b.ru',
                'url' => 'https://example.com/x',
                'date_dmy' => '01.02.2020',
                'date_ymd' => '2020-02-01',
                'unix_seconds' => 1700000000,
                'id_list' => ['g1'],
                'id_or_list' => 'g1',
                'goods' => [['good_name' => 'tovar1', 'good_sum' => 10]],
                'utm' => ['utm_source' => 's'],
                'timer_kill' => true,
                'domain' => 'shop.example.com',
                'flag' => 1,
            };
        }
        if ($name === 'AddGood') {
            $out['good_type'] = '1';
        }
        return $out;
    }

    /**
     * Values of every JSON kind, and the edge cases of `$ty`.
     *
     * @param string|array{0: string, 1: list<string>} $ty
     *
     * @return list<mixed>
     */
    private static function pool(string|array $ty): array
    {
        $common = [true, false, 0, 1, -1, 2, 1.0, 1.5, -0.0, 1e20, '', ' ', 'x', '5', '-5', '1.5', 'true', 'false', '0', '1',
            [], ['a'], ['a', ''], [1, null], (object) [], ['k' => 'v'], 'é😀'];
        $special = is_array($ty) ? [...$ty[1], strtoupper($ty[1][0]), $ty[1][0] . ' '] : match ($ty) {
            'text' => ["\u{a0}", "\t", 'Иван', 12345678901234567],
            'int' => [' 42 ', '007', '123456789012345678', '1234567890123456789', '--5', '+5', '5e3', PHP_INT_MAX],
            'number' => ['0.5', '.5', '5.', '-0.5', '1234567890123456', '123456789012345.123456789012345', -7, -2.5, 99.99, 1e-7],
            'bool' => ['True', 'yes', 'on'],
            'email' => ['a@b.ru', 'иван@почта.рф', 'a@b', 'a@b.ru ', 'a"b@c.ru', 'a@[b].ru', 5],
            'url' => ['http://x.ru', 'https://x.ru/p?q#f', 'HTTP://X.RU', 'ftp://x.ru', 'https://', 'http:///x', 'https://x.ru/a b', 'http://x.ru#'],
            'date_dmy' => ['01.01.2017', '29.02.2020', '29.02.2100', '31.04.2017', '1.01.2017', '01.01.1969', '01/01/2017', '2017-01-01'],
            'date_ymd' => ['2017-01-31', '2000-02-29', '2017-1-01', '2017-13-01', '01.01.2017', '10000-01-01'],
            'unix_seconds' => [1700000000, 253402300799, 253402300800, 1362254400000, '1700000000', ' 1700000000 ', -5],
            'timer_kill' => [1700000000, 253402300800, '1700000000', 'false'],
            'id_list', 'id_or_list' => [['g1', 'g2'], [5], ['g1', 1.5], ['g1', [1]], ['g1', ' '], 'g1', 17],
            'goods' => [[['good_name' => 'tovar1']], [['good_name' => 'tovar1', 'good_sum' => '12.5']], [['good_name' => 'tovar1', 'good_sum' => 0]],
                [['good_name' => 'tovar1', 'good_sum' => '0.0']], [['good_name' => '']], [['good_sum' => 5]], [['good_name' => 'tovar1', 'x' => 1]],
                [['good_name' => 'tovar1', 'goodsum' => 1]], [['good_name' => 'tovar1', 'good_sum' => null]], [['good_name' => 7, 'good_sum' => -1]],
                [5], [null], [['good_name' => 'tovar1'], ['good_name' => 'tovar2', 'good_sum' => 1.25]], [['good_name' => ['x']]]],
            'utm' => [['utm_source' => 'x', 'aff_term' => 1], ['utm_source' => null], ['utm_sourse' => 'x'], ['utm_source' => true], ['utm_source' => []],
                ['aff_content' => 1.5, 'utm_medium' => '']],
            'domain' => ['shop.ru', 'https://shop.ru', 'shop.ru/', 'http://shop.ru/x', 'shop.ru?x', 'user@shop.ru', 'sh op.ru', 'https://'],
            'flag' => [null, 'anything'],
            default => [],
        };
        return [...$common, ...$special];
    }

    /**
     * Values for an UpdateGood field of type `$ty`.
     *
     * @param string|array{0: string, 1: list<string>} $ty
     *
     * @return list<mixed>
     */
    private static function goodPool(string|array $ty): array
    {
        $common = [null, true, 0, 1, 2, -1, 1.0, 2.5, '', ' ', 'x', '0', '1', '7', [], ['a' => 1]];
        $special = is_array($ty) ? [...$ty[1], strtoupper($ty[1][0])] : match ($ty) {
            'string' => ['Супер', 12345678, 'RUS,UKR', 'RUS, UKR'],
            'int' => [' 5 ', '+5', '-5', '5.0', '9223372036854775807', '9223372036854775808', 0, PHP_INT_MAX],
            'float' => ['5', ' 5 ', '5.', '.5', '1.2.3', '-5', '1e3', 'abc', '.', -0.0, 1e300, -1e-7, 0.1 + 0.2, '12345678901234567890'],
            'bool' => ['true', 'false', 1.5],
            default => [],
        };
        return [...$common, ...$special];
    }

    /**
     * Wrong names near the declared ones, and far from them.
     *
     * @param list<string> $names
     *
     * @return list<string>
     */
    private static function typos(array $names): array
    {
        $out = ['zzz', 'lead_email', 'email', 'hash_x', str_repeat('q', 65), 'good_titel', 'good_partner_sl_link', 'bill_', 'x_good_name'];
        foreach ($names as $n) {
            $out[] = strtoupper($n);
            $out[] = substr($n, 1);
            $out[] = $n . 'xy';
            $out[] = 'my_' . $n;
        }
        return array_values(array_unique($out));
    }
}
