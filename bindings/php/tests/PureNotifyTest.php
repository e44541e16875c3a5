<?php

declare(strict_types=1);

namespace JustClick\Tests;

use FFI;
use JustClick\BadSignatureException;
use JustClick\ExceptionInterface;
use JustClick\InvalidArgumentException;
use JustClick\Outcome;
use JustClick\Pure\Notify;
use JustClick\Tests\Support\Sandbox;

/**
 * The pure-PHP notification check (JustClick\Pure\Notify) against the
 * library's jc_verify_notification, called here through FFI exactly as the
 * FFI engine calls it (body with its length, the document decoded by
 * Outcome::decode, a failure turned into Outcome::exception): the same
 * document, or the same exception class and message, for the vectors real
 * PHP generated, every event of API-EXT.md section 8, hostile and random
 * bodies, and the limits.
 */
final class PureNotifyTest extends TestCase
{
    private const SECRET = 'pH7-api-key-0123456789abcdefABCDEF012345';

    private const CDEF = <<<'C'
        typedef struct jc_client jc_client;
        typedef uint32_t jc_status;
        jc_status jc_client_new(const char *login, const char *secret, const char *options_json, jc_client **out_client);
        void jc_client_free(jc_client *client);
        jc_status jc_verify_notification(const jc_client *client, const char *body, size_t body_len, char **out_json);
        void jc_string_free(char *s);
        C;

    private static ?FFI $ffi = null;

    /** @var array<string, FFI\CData> secret => client handle */
    private static array $clients = [];

    public static function tearDownAfterClass(): void
    {
        foreach (self::$clients as $client) {
            self::lib()->jc_client_free($client);
        }
        self::$clients = [];
    }

    private static function lib(): FFI
    {
        return self::$ffi ??= FFI::cdef(self::CDEF, Sandbox::lib());
    }

    /**
     * What the FFI engine gets for $body: ['doc' => the decoded document]
     * or ['class' => ..., 'message' => ...] of the exception it throws.
     *
     * @return array<string, mixed>
     */
    private static function ffiOutcome(string $body, string $secret): array
    {
        $lib = self::lib();
        if (!isset(self::$clients[$secret])) {
            $client = $lib->new('jc_client*');
            self::assertNotNull($client);
            self::assertSame(0, $lib->jc_client_new(Sandbox::LOGIN, $secret, null, FFI::addr($client)));
            self::$clients[$secret] = $client;
        }
        $out = $lib->new('char*');
        self::assertNotNull($out);
        $status = $lib->jc_verify_notification(self::$clients[$secret], $body, strlen($body), FFI::addr($out));
        self::assertFalse(FFI::isNull($out), 'jc_verify_notification wrote no document');
        $json = FFI::string($out);
        $lib->jc_string_free($out);
        $doc = Outcome::decode($json);
        if ($status === 0 && ($doc['ok'] ?? null) === true) {
            return ['doc' => $doc];
        }
        $e = Outcome::exception($doc);
        return ['class' => get_class($e), 'message' => $e->getMessage()];
    }

    /** @return array<string, mixed> the same shape for Notify::verify() */
    private static function pureOutcome(string $body, string $secret): array
    {
        try {
            return ['doc' => Notify::verify($body, $secret)];
        } catch (ExceptionInterface $e) {
            return ['class' => get_class($e), 'message' => $e->getMessage()];
        }
    }

    /**
     * Asserts both engines agree on $body and returns the outcome.
     *
     * @return array<string, mixed>
     */
    private static function same(string $body, string $secret = self::SECRET, string $label = ''): array
    {
        $ffi = self::ffiOutcome($body, $secret);
        $pure = self::pureOutcome($body, $secret);
        $shown = $label !== '' ? $label : (strlen($body) > 300 ? substr($body, 0, 300) . '...' : $body);
        self::assertSame($ffi, $pure, 'engines differ for ' . json_encode($shown, JSON_INVALID_UTF8_SUBSTITUTE));
        if (isset($pure['message'])) {
            self::assertStringNotContainsString($secret, (string) $pure['message']);
        }
        return $pure;
    }

    /**
     * A body as the service sends it, with `hash` over $time (null: no hash).
     *
     * @param array<string, mixed> $fields
     */
    private static function signed(array $fields, ?string $time, string $secret = self::SECRET): string
    {
        $body = http_build_query($fields);
        if ($time === null) {
            return $body;
        }
        $id = is_string($fields['id'] ?? null) ? $fields['id'] : '';
        $email = is_string($fields['email'] ?? null) ? $fields['email'] : '';
        return $body . '&hash=' . md5($id . $email . $time . $secret);
    }

    /** A valid payment notification, the tail of many hostile bodies. */
    private static function payment(): string
    {
        return self::signed(['id' => '100125', 'email' => 'a@b.ru', 'paid' => '1700000000'], '1700000000');
    }

    public function testShape(): void
    {
        $class = new \ReflectionClass(Notify::class);
        self::assertTrue($class->isFinal());
        self::assertTrue($class->getConstructor()?->isPrivate() ?? false);
        $public = array_map(
            static fn (\ReflectionMethod $m): string => $m->getName(),
            $class->getMethods(\ReflectionMethod::IS_PUBLIC)
        );
        self::assertSame(['verify'], $public);
        self::assertSame(1000, Notify::MAX_VARS);
    }

    /** @return array<string, array{0: array<string, mixed>}> */
    public static function vectors(): array
    {
        return NotificationTest::vectors();
    }

    /**
     * The vectors real PHP generated: Notify agrees with the library and
     * with what the vector says.
     *
     * @dataProvider vectors
     *
     * @param array<string, mixed> $v
     */
    public function testVector(array $v): void
    {
        $out = self::same($v['body'], $v['secret'], $v['name']);
        $error = $v['error'] ?? null;
        if ($error === null) {
            self::assertSame(
                ['ok' => true, 'event' => $v['event'], 'verified' => $v['verified'], 'hash_rule' => $v['hash_rule'], 'fields' => $v['fields']],
                $out['doc'] ?? $out
            );
            if ($v['verified'] === true) {
                // Signed with another key, the same body fails in both engines.
                self::assertSame(BadSignatureException::class, self::same($v['body'], 'another-key')['class'] ?? null);
            }
            return;
        }
        $class = ['bad_signature' => BadSignatureException::class, 'invalid_argument' => InvalidArgumentException::class][$error];
        self::assertSame($class, $out['class'] ?? null, $v['name']);
    }

    /** Every event of API-EXT.md 8.1-8.6 with every hash variant. */
    public function testEveryEventAndHashRule(): void
    {
        $items = ['items' => [
            ['id' => '15', 'title' => 'Супер товар', 'sum' => '1500.00', 'price' => '1500', 'pincode' => 'P-1',
                'partners' => [['partner_lvl' => '1', 'partner_id' => '7', 'partner_name' => 'p', 'partner_fee' => '90']]],
        ]];
        $utm = ['utm' => ['medium' => 'cpc', 'source' => 'ya', 'campaign' => 'осень/2026', 'content' => 'a&b=c', 'term' => 'x+y']];
        $person = ['first_name' => 'Иван', 'last_name' => 'Петров', 'email' => 'ivan+shop@example.com', 'phone' => '+7 (900) 123'];
        $events = [
            'new_order' => ['created', ['status' => 'new_order', 'id' => '100123'] + $person + ['created' => '1700000000', 'kupon' => 'SALE10', 'link' => 'https://x/?a=1&b=2'] + $utm + $items],
            'cancel_order' => ['created', ['status' => 'cancel_order', 'id' => '100124'] + $person + ['created' => '1700000001'] + $utm + $items],
            'payment' => ['paid', ['id' => '100125'] + $person + ['created' => '1700000000', 'paid' => '1700000500', 'last_payment_sum' => '1500', 'is_recurrent' => '0'] + $utm + $items],
            'prepayment' => ['paid', ['id' => '100126'] + $person + ['created' => '1700000000', 'prepayment_sum' => '500', 'paid' => '1700000600'] + $utm + $items],
            'moneyback' => ['paid', ['status' => 'moneyback', 'id' => '100127'] + $person + ['created' => '1700000000', 'paid' => '1700000700'] + $utm + $items],
        ];
        foreach ($events as $event => [$timeField, $fields]) {
            $time = $fields[$timeField];
            $other = $timeField === 'paid' ? $fields['created'] : '1700009999';
            $expect = static fn (?string $rule, array $f): array => ['doc' => [
                'ok' => true, 'event' => $event, 'verified' => true, 'hash_rule' => $rule, 'fields' => $f,
            ]];
            self::assertSame($expect('documented', $fields), self::same(self::signed($fields, $time)), "$event documented");
            self::assertSame($expect('empty_time', $fields), self::same(self::signed($fields, '')), "$event empty time");
            $noTime = $fields;
            unset($noTime[$timeField]);
            // (A payment without paid is still one by its last_payment_sum.)
            self::assertSame($expect('empty_time', $noTime), self::same(self::signed($noTime, '')), "$event without $timeField");
            self::assertArrayHasKey('class', self::same(self::signed($noTime, $time)), "$event, $timeField absent but signed");
            $bad = [
                'another time' => self::signed($fields, $other),
                'another key' => self::signed($fields, $time, 'another-key'),
                'no hash' => self::signed($fields, null),
                'empty hash' => self::signed($fields, null) . '&hash=',
                'hash array' => self::signed($fields, null) . '&hash[]=' . md5($fields['id'] . $fields['email'] . $time . self::SECRET),
                'upper-case hash' => self::signed($fields, null) . '&hash=' . strtoupper(md5($fields['id'] . $fields['email'] . $time . self::SECRET)),
                'tampered id' => str_replace('id=1001', 'id=1002', self::signed($fields, $time)),
                'tampered email' => str_replace('ivan%2Bshop', 'ivan', self::signed($fields, $time)),
                'tampered time' => str_replace("$timeField=$time", "$timeField=1", self::signed($fields, $time)),
            ];
            foreach ($bad as $what => $body) {
                $out = self::same($body, self::SECRET, "$event $what");
                self::assertSame(BadSignatureException::class, $out['class'] ?? null, "$event $what");
            }
            // Unsigned fields are not covered: a changed sum still verifies.
            $out = self::same(str_replace('1500.00', '1.00', self::signed($fields, $time)));
            self::assertSame('documented', $out['doc']['hash_rule'] ?? null);
            foreach (['id', 'email', $timeField] as $f) {
                $arr = self::signed([$f => ['x']] + $fields, $time);
                self::assertSame(InvalidArgumentException::class, self::same($arr)['class'] ?? null, "$event $f as array");
            }
            $noId = $fields;
            unset($noId['id']);
            self::assertSame(
                ['class' => InvalidArgumentException::class, 'message' => "$event notification has no 'id' field"],
                self::same(self::signed($noId, $time))
            );
        }
        $sub = ['name' => 'Иван', 'email' => 'ivan@example.com', 'phone' => '+7', 'city' => 'Москва', 'id_group' => '42', 'ip' => '10.0.0.1'];
        foreach (['2' => 'subscribe', '1' => 'subscribe', '0' => 'unsubscribe'] as $status => $event) {
            $fields = $sub + ['status' => (string) $status] + ($status === 0 ? [] : $utm);
            $want = ['doc' => ['ok' => true, 'event' => $event, 'verified' => false, 'hash_rule' => null, 'fields' => $fields]];
            self::assertSame($want, self::same(self::signed($fields, null)));
            // A stray hash is neither checked nor kept.
            self::assertSame($want, self::same(self::signed($fields, null) . '&hash=nonsense'));
            self::assertSame($want, self::same(self::signed($fields, null) . '&hash[x]=1'));
        }
    }

    /**
     * Known-answer checks written from the library's source, so that a
     * wrong message would fail even if both engines agreed on it.
     */
    public function testMessages(): void
    {
        $cases = [
            '' => "not a JustClick notification: no 'status', 'paid', 'last_payment_sum' or 'prepayment_sum' field",
            'status[]=new_order' => "notification field 'status' is an array, not a text",
            'status=1&email=x' => "not a JustClick notification: unknown status '1' without 'id_group' (expected new_order, cancel_order, moneyback, or 0/1/2 with id_group)",
            'status=3&id_group=1' => "not a JustClick notification: unknown status '3' (expected new_order, cancel_order, moneyback, or 0/1/2 with id_group)",
            'status=a%09b%0Ac%0Dd%00e%01f%7Fg%C2%85h%C2%9F%C2%A0%27%22%5C' => "not a JustClick notification: unknown status 'a\\tb\\nc\\rd\\u{0}e\\u{1}f\\u{7f}g\\u{85}h\\u{9f}\u{a0}'\"\\' (expected new_order, cancel_order, moneyback, or 0/1/2 with id_group)",
            'status=' . str_repeat('я', 61) => "not a JustClick notification: unknown status '" . str_repeat('я', 60) . "…' (expected new_order, cancel_order, moneyback, or 0/1/2 with id_group)",
            'status=' . str_repeat('😀', 60) => "not a JustClick notification: unknown status '" . str_repeat('😀', 60) . "' (expected new_order, cancel_order, moneyback, or 0/1/2 with id_group)",
            'paid=1&email=x' => "payment notification has no 'id' field",
            'paid=1&id=1' => "payment notification carries no 'hash': it is not verified",
            'paid=1&id=1&hash[]=x' => "payment notification's 'hash' is an array, not a text: it is not verified",
            'paid=1&id=1&hash=x' => "payment notification's 'hash' does not match (md5 of id, email, paid or an empty time, and the API key): it is forged, altered or signed with another key",
            'status=new_order&id=1&hash=x' => "new_order notification's 'hash' does not match (md5 of id, email, created or an empty time, and the API key): it is forged, altered or signed with another key",
            'paid[]=1&id=1&hash=x' => "notification field 'paid' is an array, not a text",
            'a=%FF' => 'notification body is not UTF-8 once percent-decoded (JustClick sends UTF-8)',
            "\xC3=1" => 'notification body is not UTF-8 once percent-decoded (JustClick sends UTF-8)',
        ];
        foreach ($cases as $body => $message) {
            $out = self::same((string) $body);
            self::assertSame($message, $out['message'] ?? null, (string) $body);
        }
        // PHP's == would take two magic hashes for equal (md5('240610708')
        // is 0e462097431906509019562988736854); hash_equals does not.
        $out = self::same('paid=&id=2406&email=107&hash=0e000000000000000000000000000000', '08');
        self::assertSame(BadSignatureException::class, $out['class'] ?? null);
        // The comparison can fail: a genuine body and its tampered copy differ.
        self::assertNotSame(self::same(self::payment()), self::same(str_replace('100125', '100126', self::payment())));
    }

    /** @return list<string> bodies written to break a form parser (src/php.rs and its tests). */
    private static function hostileParts(): array
    {
        $deep = static fn (int $n): string => 'a' . str_repeat('[k]', $n) . '=1&b=2';
        return [
            $deep(63), $deep(64), $deep(65), $deep(100), 'a' . str_repeat('[]', 64) . '=1', 'a' . str_repeat('[]', 65) . '=1',
            'a[ ]=1', 'a[ x]=1', "a[\t]=1", "a[\r]=1", "a[\n]=1", 'a[%0D]=1', 'a[x.y]=1', 'a[x y]=1', 'a[b[c]=1', 'a[x]junk=1',
            'a[x]junk[y]=1', ' a=1', '   a b.c=1', 'a.b=1', 'a[=1', 'a[x=1&b=2', 'a%00b=1', 'a[x%00y]=1', 'a[]=1&a[]=2&a[5]=3&a[]=4',
            'x=1&x=2&y=3&x=4', 'a[5]=1&a[05]=2', 'a=1&a[x]=2', 'a[x]=1&a=2', '=1&b=2', 'a=%zz%4', 'a[%01]=1', 'a%01b=1',
            'a[]x=1', 'a[-20]=1&a[]=2', 'a[3]=1&a[-5]=1&a[]=2', 'a[-0]=1&a[]=2', 'a[-20]=1&a[-5]=1&a[]=2',
            'a[9223372036854775806]=1&a[]=2&a[]=3&a[][x]=4&b=5', 'a[9223372036854775807]=1&a[]=2&b=3',
            'a[9223372036854775807]=1&a[][x]=2', 'a[9223372036854775808]=1&a[]=2', 'a[-9223372036854775808]=1&a[]=2',
            'a[-9223372036854775809]=1&a[]=2', '5=x&007=y&-3=z&-0=w', '..Host-x=1&b=2', '_.Secure-y=2&b=2', ' __Host-ok=1',
            '..Host[x=1', '.._Host-=1', 'a[__Host-x]=1&b=2', 'a[__Secure-x]=1&b=2', 'a[x][__Host-y]=1&b=2', 'a[__Host-x][y]=1&b=2',
            'a[__Secure-]=1&b=2', 'a=5&a[__Host-x]=1&c=1', 'a=5&a[y][__Host-x]=1&a[y][z]=2', 'a[][__Host-x]=1&a[]=2',
            'a[5]=1&a[__Secure-x]=2&a[]=3', 'a[__Hostx]=1&a[__host-x]=2', 'a[ __Host-x]=1', 'a[__Host-x=1', 'a[__Host-%00x]=1',
            '__Host-x[__Host-y]=1', '__Host-x[__Secure-y]=1&b=2', ' __Secure-x[__Secure-]=1', '__Secure-x[a][__Secure-b]=1',
            '__Secure.x[__Secure-y]=1&b=2', '_[Host-x=1&b=2', '_[Secure-y=1&b=2', '_ Host-[x=1&b=2', '..Host-x[a]=1&b=2',
            ' ..Host-x=1&b=2', '_ Secure-z[]=1&b=2', 'a[..Host-q]=5', '__Host-a[__Host-x]=1', '__Host-x=1&__Secure-y[z]=2',
            'a[__Host-=1&a[ __Secure-x]=2', 'a[__Host-%00x]=1&a[%00__Host-x]=2', '&&&=&=1&&a', 'a]=1&]a=2&[a]=3&a[[b]]=4&a[b]]=5',
            'a[]x=1&a[x]junk[y]=2&a[x=3', 'x=1&x=2&x[]=3&x=4', '%=%&%%41=%4', '%5B=1&a%5Bb%5D=2&a%5b%5d=3', 'a+b=1&a%20c=2&+=3',
            "a\0b=1&c=\0d", "\0=1", '%00=1', ' =1', '.=1', '[=1', '[]=1', '[a]=1', 'a[0]=x&a[1]=y', 'a[1]=x&a[0]=y', 'a[0]=x&a[2]=y',
            'a[0][0][0]=1', 'a[]=1&a[1]=2', 'items[0][partners][1][partner_fee]=9&items[0][partners][0][partner_fee]=8',
            'status=new_order&status[]=x', 'status[]=x&status=new_order', 'id=1&id[]=2', 'hash=1&hash=2', 'hash%00junk=x',
            'hash.=1', 'hash[=1', ' hash=z', 'hash =1', 'id%00=7&email%00x=y', 'paid=%E2%82%AC&email=%F0%9F%98%80',
            'e=%ED%9F%BF&f=%EE%80%80&g=%F4%8F%BF%BF', 'ok=1&event=x&fields[a]=b&verified=0&hash_rule=documented',
        ];
    }

    /** Hostile bodies alone, before a valid notification and after it. */
    public function testHostileBodies(): void
    {
        $verified = 0;
        foreach (self::hostileParts() as $part) {
            self::same($part);
            $out = self::same($part . '&' . self::payment());
            $verified += isset($out['doc']) ? 1 : 0;
            self::same(self::payment() . '&' . $part);
        }
        // Most still verify, with the hostile keys parsed into `fields`.
        self::assertGreaterThan(100, $verified);
        // Invalid UTF-8 in every position and form.
        foreach (['%FF', "\xFF", '%C0%80', '%ED%A0%80', '%ED%BF%BF', '%F4%90%80%80', '%F8%88%80%80%80', '%E2%82', "\xE2\x82", '%C3', '%80'] as $bad) {
            foreach (["a=$bad", "$bad=1", "a[$bad]=1", "a$bad", "status=$bad", "hash=$bad", "a=x$bad%41"] as $pair) {
                $out = self::same(self::payment() . '&' . $pair);
                self::assertSame(InvalidArgumentException::class, $out['class'] ?? null, $pair);
            }
        }
        // A NUL in the body is data: passed with its length, not the end.
        self::assertSame(BadSignatureException::class, self::same(self::payment() . "\0")['class'] ?? null);
        self::assertArrayHasKey('doc', self::same(self::payment() . "&x=\0y"));
        self::assertArrayHasKey('doc', self::same("x\0y=1&" . self::payment()));
    }

    /** post_max_size, the C ABI's own bound, max_input_vars. */
    public function testLimits(): void
    {
        $base = self::payment() . '&pad=';
        $fill = static fn (int $size, string $head): string => $head . str_repeat('a', $size - strlen($head));
        self::assertArrayHasKey('doc', self::same($fill(8 << 20, $base), self::SECRET, '8 MiB'));
        $over = self::same($fill((8 << 20) + 1, $base), self::SECRET, '8 MiB + 1');
        self::assertSame("notification body has 8388609 bytes, more than 8388608 (PHP's default post_max_size): not a JustClick notification", $over['message'] ?? null);
        self::same($fill(16 << 20, $base), self::SECRET, '16 MiB');
        $ffiBound = self::same($fill((16 << 20) + 1, $base), self::SECRET, '16 MiB + 1');
        self::assertSame('body is larger than 16777216 bytes', $ffiBound['message'] ?? null);
        self::same(str_repeat('&', 8 << 20), self::SECRET, '8 MiB of &');
        self::same(self::payment() . str_repeat('&', (8 << 20) - strlen(self::payment())), self::SECRET, 'payment and 8 MiB of &');
        self::same(self::payment() . '&x=' . str_repeat('%41%d0%b8+', 500000), self::SECRET, 'long escaped value');
        self::same(self::payment() . '&' . str_repeat('a[', 200000) . '=1', self::SECRET, 'long unclosed name');

        // self::payment() has 4 pairs.
        $vars = static fn (int $n, string $last = 'w=1'): string => self::payment() . str_repeat('&v[]=1&&', $n - 5) . '&' . $last;
        $ok = self::same($vars(1000), self::SECRET, '1000 pairs');
        self::assertCount(995, $ok['doc']['fields']['v'] ?? []);
        $more = "notification body has more than 1000 variables (PHP's max_input_vars): PHP would drop the rest, so it is not verified";
        self::assertSame($more, self::same($vars(1001), self::SECRET, '1001 pairs')['message'] ?? null);
        // The UTF-8 check runs pair by pair, inside the count.
        self::assertSame($more, self::same($vars(1001, 'v=%FF'), self::SECRET, '1001st invalid')['message'] ?? null);
        self::assertSame(
            'notification body is not UTF-8 once percent-decoded (JustClick sends UTF-8)',
            self::same($vars(1000, 'v=%FF') . '&w=1', self::SECRET, '1000th invalid')['message'] ?? null
        );
        self::same($vars(999) . '&hash=x', self::SECRET, '1000 pairs with a second hash');
    }

    /** Seeded random bodies from pieces that matter to the parse and the check. */
    public function testRandomBodies(): void
    {
        $keyPieces = ['a', 'id', 'email', 'paid', 'created', 'status', 'hash', 'items', 'utm', 'id_group', 'prepayment_sum',
            'last_payment_sum', '0', '1', '-1', '05', '9223372036854775807', '[', ']', '[]', '[0]', '[x]', '[ ]', '.', ' ',
            '+', '%20', '%2e', '%5B', '%5D', '%00', '%ff', '%c3%a9', '%e2%82', '%', '%4', '%zz', '__Host-', '__Secure-', '_',
            "\t", '%09', '%0a', '😀', "\xff", "\0", '=', 'я'];
        $valuePieces = ['1', '0', '2', 'new_order', 'cancel_order', 'moneyback', 'x', ' ', '+', '%2B', '%26', '%3D', '=',
            '%00', '%ff', '%c3%a9', '%e2%82%ac', '%', '%4', 'я', '😀', "\t", '%09', '%C2%85', '[', ']', '1700000000', 'a@b.ru', '%40'];
        $notUtf8 = ['%ff', '%e2%82', "\xff"];
        $pick = static fn (array $pieces, int $max): string => implode('', array_map(
            static fn (): string => $pieces[mt_rand(0, count($pieces) - 1)],
            range(0, mt_rand(0, $max))
        ));
        $seen = ['doc' => 0, InvalidArgumentException::class => 0, BadSignatureException::class => 0];
        foreach ([1, 2, 3, 20261207] as $seed) {
            mt_srand($seed);
            for ($n = 0; $n < 700; $n++) {
                // Bytes that are not UTF-8 once decoded in one body of four.
                $utf8 = mt_rand(0, 3) !== 0;
                $keys = $utf8 ? array_values(array_diff($keyPieces, $notUtf8)) : $keyPieces;
                $values = $utf8 ? array_values(array_diff($valuePieces, $notUtf8)) : $valuePieces;
                $pairs = [];
                for ($p = mt_rand(0, 8); $p > 0; $p--) {
                    $pairs[] = $pick($keys, 4) . (mt_rand(0, 5) === 0 ? '' : '=' . $pick($values, 3));
                }
                if (mt_rand(0, 1) === 1) {
                    // A signed tail over values as PHP decodes them (noise may override them).
                    $id = $pick(['1', '7', '%31', 'я', '+', '%00'], 2);
                    $email = $pick(['a', '%40', 'b.ru', '+', '%2B'], 3);
                    $paid = $pick(['', '1700000000', '%31'], 1);
                    $time = mt_rand(0, 1) === 1 ? urldecode($paid) : '';
                    $key = mt_rand(0, 3) === 0 ? 'another-key' : self::SECRET;
                    $tail = ["id=$id", "email=$email", "paid=$paid", 'hash=' . md5(urldecode($id) . urldecode($email) . $time . $key)];
                    shuffle($tail);
                    array_splice($pairs, mt_rand(0, count($pairs)), 0, $tail);
                }
                $glue = mt_rand(0, 3) === 0 ? '&&' : '&';
                $out = self::same(implode($glue, $pairs));
                $seen[$out['class'] ?? 'doc']++;
            }
        }
        // Every kind of outcome was reached many times.
        foreach ($seen as $kind => $count) {
            self::assertGreaterThan(100, $count, $kind);
        }
    }
}
