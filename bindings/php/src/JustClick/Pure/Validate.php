<?php

declare(strict_types=1);

namespace JustClick\Pure;

use JustClick\InvalidArgumentException;

/**
 * The library's request validation for the pure-PHP engine, ported rule by
 * rule: src/api/validate.rs (the method table), src/good.rs (UpdateGood's
 * fields), src/endpoints.rs (the four typed endpoints) and the C ABI's
 * argument checks (src/ffi/arg.rs). Each public function returns exactly
 * the parameters the library would send, in its order and with its PHP
 * types, so that Wire::encode() gives the library's bytes; or throws the
 * library's InvalidArgumentException with its exact message.
 *
 * Inputs are what JustClick\Client hands to the FFI engine, which sends
 * them as json_encode() text that the library parses: values are therefore
 * read as that JSON reads (a whole float such as 1.0 is the integer 1, an
 * empty array a list, an object a map).
 *
 * @internal
 */
final class Validate
{
    /** The flags of JustClick\Client's json_encode(). */
    private const JSON_OUT = JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES;

    /** JustClick\Client's json_encode() depth. */
    private const JSON_DEPTH = 1024;

    /** Largest JSON argument of the C ABI (src/ffi/arg.rs). */
    private const MAX_JSON_INPUT = 16 << 20;

    /** serde_json's recursion limit: the 128th open bracket is refused. */
    private const JSON_RECURSION = 128;

    /** Longest name given a "did you mean" (src/suggest.rs). */
    private const SUGGEST_MAX_LEN = 64;

    /** Largest UNIX time accepted: 9999-12-31T23:59:59Z. */
    private const MAX_UNIX = 253_402_300_799;

    /** Rust's char::is_whitespace (Unicode White_Space), for a regex class. */
    private const WS = '\x{9}-\x{D}\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}';

    /** Rust's char::is_control (Unicode Cc), for a regex class. */
    private const CC = '\x{0}-\x{1F}\x{7F}-\x{9F}';

    /** UpdateOrderStatus `status` (endpoints.rs OrderStatus), in API order. */
    private const ORDER_STATUS = ['sent', 'paid', 'return', 'cancel'];

    /** GetBills `pay_status` (endpoints.rs PayStatus), in API order. */
    private const PAY_STATUS = ['paid', 'waiting', 'cancel'];

    private function __construct()
    {
    }

    /**
     * What jc_<snake> (Client::call_method) sends for method `$name`: the
     * validated parameters, in order.
     *
     * @param array<array-key, mixed> $params
     *
     * @return array<string, mixed>
     *
     * @throws InvalidArgumentException
     */
    public static function method(string $name, array $params): array
    {
        // The FFI engine sends [] as NULL (no parameters).
        $input = [];
        if ($params !== []) {
            self::json((object) $params, 'params', 'params_json');
            foreach ($params as $key => $value) {
                $input[(string) $key] = self::lib($value);
            }
        }
        return self::validate(self::lookup($name), $name, $input);
    }

    /**
     * jc_delete_order: the DeleteOrder parameters.
     *
     * @return array<string, mixed>
     *
     * @throws InvalidArgumentException
     */
    public static function deleteOrder(string $billId): array
    {
        self::noNul($billId, 'billId');
        self::utf8($billId, 'bill_id');
        self::required('bill_id', $billId, 'the number of the order to delete');
        return ['bill_id' => $billId];
    }

    /**
     * jc_update_order_status: the UpdateOrderStatus parameters; `$date` 0
     * (or less) is "not given", `$rpo` null or "" too, as in the C ABI.
     *
     * @return array<string, mixed>
     *
     * @throws InvalidArgumentException
     */
    public static function updateOrderStatus(string $billId, string $status, int $date, ?string $rpo): array
    {
        self::noNul($billId, 'billId');
        self::noNul($status, 'status');
        if ($rpo !== null) {
            self::noNul($rpo, 'rpo');
        }
        self::utf8($billId, 'bill_id');
        self::utf8($status, 'status');
        if ($rpo !== null) {
            self::utf8($rpo, 'rpo');
        }
        self::parseEnum('status', $status, self::ORDER_STATUS);
        return self::orderStatus($billId, $status, $date > 0 ? $date : null, $rpo === '' ? null : $rpo);
    }

    /**
     * jc_get_bills: the GetBills parameters; `$payStatus` null or "" is
     * every order.
     *
     * @return array<string, mixed>
     *
     * @throws InvalidArgumentException
     */
    public static function getBills(string $email, ?string $payStatus): array
    {
        self::noNul($email, 'email');
        if ($payStatus !== null) {
            self::noNul($payStatus, 'payStatus');
        }
        self::utf8($email, 'email');
        if ($payStatus !== null) {
            self::utf8($payStatus, 'pay_status');
        }
        if ($payStatus === '') {
            $payStatus = null;
        }
        if ($payStatus !== null) {
            self::parseEnum('pay_status', $payStatus, self::PAY_STATUS);
        }
        $error = self::emailError($email);
        if ($error !== null) {
            throw new InvalidArgumentException($error);
        }
        $out = ['email' => $email];
        if ($payStatus !== null) {
            $out['pay_status'] = $payStatus;
        }
        return $out;
    }

    /**
     * jc_update_good: Good::from_json of the good's JSON (its errors named
     * `good_json`), then the rules of Good::encode, in UpdateGood's order.
     *
     * @param array<array-key, mixed> $good
     *
     * @return array<string, mixed>
     *
     * @throws InvalidArgumentException
     */
    public static function updateGood(array $good): array
    {
        self::json((object) $good, 'good', 'good_json');
        $fields = [];
        $hasName = false;
        $failure = null;
        foreach ($good as $key => $value) {
            $key = (string) $key;
            if ($failure !== null) {
                continue;
            }
            $value = self::lib($value);
            try {
                if (!array_key_exists($key, Table::GOOD_FIELDS)) {
                    throw new InvalidArgumentException(self::unknownField($key));
                }
                if ($value !== null) {
                    $fields[$key] = self::goodField($key, $value);
                    $hasName = $hasName || $key === 'good_name';
                }
            } catch (InvalidArgumentException $e) {
                $failure = $e->getMessage();
            }
        }
        if ($failure === null && !$hasName) {
            $failure = 'good_name is required: the id of the product to update';
        }
        if ($failure !== null) {
            throw new InvalidArgumentException('good_json: ' . $failure);
        }
        return self::goodParams($fields);
    }

    /**
     * The generic call's method name (jc_call, validate_method): no NUL
     * (refused by the binding, as C would cut it), UTF-8, then 1 to 64
     * ASCII letters and digits.
     *
     * @throws InvalidArgumentException
     */
    public static function methodName(string $method): void
    {
        self::noNul($method, 'method');
        self::utf8($method, 'method');
        if ($method === '') {
            throw new InvalidArgumentException("method name is empty (expected e.g. 'GetAllGoods')");
        }
        if (strlen($method) > 64 || preg_match('/^[A-Za-z0-9]+$/D', $method) !== 1) {
            throw new InvalidArgumentException(
                'method name ' . Text::quote($method) . " must be 1 to 64 letters and digits (e.g. 'AddLeadToGroup')"
            );
        }
    }

    // ---------------------------------------------------------------
    // The method table (src/api/validate.rs, src/api/mod.rs).

    /**
     * The declaration of `$name` (exact case), or the library's error
     * naming the closest one.
     *
     * @return array<string, mixed>
     */
    private static function lookup(string $name): array
    {
        if (isset(Table::METHODS[$name])) {
            return Table::METHODS[$name];
        }
        $s = self::suggest($name, array_map('strval', array_keys(Table::METHODS)));
        $hint = $s !== null
            ? " (did you mean '$s'? method names are case-sensitive)"
            : ' (use Client::call for methods outside the table)';
        throw new InvalidArgumentException('unknown method ' . Text::quote($name) . $hint);
    }

    /**
     * validate(): `$params` are library values (see lib()).
     *
     * @param array<string, mixed> $m
     * @param array<string, mixed> $params
     *
     * @return array<string, mixed>
     */
    private static function validate(array $m, string $name, array $params): array
    {
        /** @var array<string, array{0: bool, 1: string|array{0: string, 1: list<string>}}> $decl */
        $decl = $m['params'];
        $goodFields = $m['good_fields'] === true;
        $names = array_map('strval', array_keys($decl));
        $extra = $goodFields ? array_map('strval', array_keys(Table::GOOD_FIELDS)) : [];
        $out = [];
        $goodMap = [];
        foreach ($params as $key => $value) {
            $key = (string) $key;
            $p = $decl[$key] ?? null;
            if ($goodFields && array_key_exists($key, Table::GOOD_FIELDS)) {
                // Typed by the UpdateGood fields; the declaration's rules too.
                if ($p !== null && $value !== null) {
                    self::check($key, $p, $value);
                }
                $goodMap[$key] = $value;
                continue;
            }
            if ($p === null) {
                throw new InvalidArgumentException(self::unknown("$name parameter", $key, [...$names, ...$extra]));
            }
            if ($value === null) {
                continue;
            }
            $out[$key] = self::check($key, $p, $value);
        }
        foreach ($decl as $pName => [$required, $ty]) {
            if ($required && ($params[$pName] ?? null) === null) {
                throw new InvalidArgumentException(
                    "$pName is required by $name (" . self::describe($ty) . ')' . self::enumList($ty)
                );
            }
        }
        if ($goodFields) {
            $fields = [];
            $hasName = false;
            foreach ($goodMap as $key => $value) {
                if ($value !== null) {
                    $fields[$key] = self::goodField($key, $value);
                    $hasName = $hasName || $key === 'good_name';
                }
            }
            if (!$hasName) {
                throw new InvalidArgumentException('good_name is required: the id of the product to update');
            }
            $sent = self::goodParams($fields);
            // good_type (AddGood) goes right after good_name; each of the
            // others in front of the one before, as the library inserts.
            foreach ($out as $k => $v) {
                $sent = array_slice($sent, 0, 1, true) + [$k => $v] + array_slice($sent, 1, null, true);
            }
            return $sent;
        }
        if ($name === 'UpdateOrderStatus') {
            $text = static fn (string $k): ?string => is_string($out[$k] ?? null) || is_int($out[$k] ?? null)
                ? (string) $out[$k]
                : null;
            $status = $text('status') ?? '';
            self::parseEnum('status', $status, self::ORDER_STATUS);
            $date = $out['date'] ?? null;
            self::orderStatus($text('bill_id') ?? '', $status, is_int($date) ? $date : null, $text('rpo'));
        }
        return $out;
    }

    /**
     * check(): a required text must not be blank.
     *
     * @param array{0: bool, 1: string|array{0: string, 1: list<string>}} $p
     */
    private static function check(string $name, array $p, mixed $v): mixed
    {
        if ($p[0] && $p[1] === 'text') {
            return self::nonemptyText($name, $v);
        }
        return self::checkValue($name, $p[1], $v);
    }

    /** @param string|array{0: string, 1: list<string>} $ty */
    private static function checkValue(string $name, string|array $ty, mixed $v): mixed
    {
        if (is_array($ty)) {
            $t = self::scalarText($v);
            if ($t === null) {
                throw self::wrong($name, $ty, $v);
            }
            if (in_array($t, $ty[1], true)) {
                return $t;
            }
            throw new InvalidArgumentException("$name " . Text::quote($t) . ' is not one of ' . implode(', ', $ty[1]));
        }
        $s = is_string($v) ? $v : null;
        switch ($ty) {
            case 'text':
                if (is_string($v) || is_int($v) || is_float($v)) {
                    return $v;
                }
                throw self::wrong($name, $ty, $v);
            case 'flag':
                if (is_array($v) || is_object($v)) {
                    throw self::wrong($name, $ty, $v);
                }
                return $v;
            case 'int':
                return self::asInt($v) ?? throw self::wrong($name, $ty, $v);
            case 'number':
                $n = match (true) {
                    is_int($v), is_float($v) => (float) $v,
                    is_string($v) && self::isDecimal($v) => (float) $v,
                    default => null,
                };
                if ($n === null) {
                    throw self::wrong($name, $ty, $v);
                }
                if (is_finite($n) && $n >= 0.0) {
                    return $v;
                }
                throw new InvalidArgumentException("$name must be a non-negative number, got " . self::rustFloat($n));
            case 'bool':
                return self::boolOf($v) ?? throw self::wrong($name, $ty, $v);
            case 'email':
                if ($s === null) {
                    throw self::wrong($name, $ty, $v);
                }
                if (self::emailError($s) !== null) {
                    throw new InvalidArgumentException(
                        "$name " . Text::quote($s) . ' is not a valid e-mail address (expected name@domain.tld)'
                    );
                }
                return $v;
            case 'url':
                if ($s === null) {
                    throw self::wrong($name, $ty, $v);
                }
                $lower = strtolower(substr($s, 0, 8));
                if (str_starts_with($lower, 'https://')) {
                    $rest = substr($s, 8);
                } elseif (str_starts_with($lower, 'http://')) {
                    $rest = substr($s, 7);
                } else {
                    throw new InvalidArgumentException("$name " . Text::quote($s) . ' must be an absolute http:// or https:// URL');
                }
                $host = strcspn($rest, '/?#');
                if ($host === 0 || self::hasSpaceOrControl($s)) {
                    throw new InvalidArgumentException("$name " . Text::quote($s) . ' is not a valid URL (a host and no spaces)');
                }
                return $v;
            case 'date_dmy':
            case 'date_ymd':
                if ($s === null) {
                    throw self::wrong($name, $ty, $v);
                }
                $ok = $ty === 'date_dmy'
                    ? preg_match('/^([0-9]{2})\.([0-9]{2})\.([0-9]{4})$/D', $s, $d) === 1 && self::realDate((int) $d[3], (int) $d[2], (int) $d[1])
                    : preg_match('/^([0-9]{4})-([0-9]{2})-([0-9]{2})$/D', $s, $d) === 1 && self::realDate((int) $d[1], (int) $d[2], (int) $d[3]);
                if ($ok) {
                    return $v;
                }
                throw new InvalidArgumentException("$name " . Text::quote($s) . ' is not a real date written ' . ($ty === 'date_dmy'
                    ? 'dd.mm.yyyy (e.g. 01.01.2017)'
                    : 'YYYY-MM-DD (e.g. 2017-01-31)'));
            case 'unix_seconds':
                $t = self::asInt($v) ?? throw self::wrong($name, $ty, $v);
                return self::unix($name, $t);
            case 'timer_kill':
                $b = self::boolOf($v);
                if ($b !== null) {
                    return $b;
                }
                $t = self::asInt($v) ?? throw self::wrong($name, $ty, $v);
                return self::unix($name, $t);
            case 'id_list':
            case 'id_or_list':
                if (is_array($v)) {
                    if ($v === []) {
                        throw new InvalidArgumentException("$name must list at least one id");
                    }
                    $out = [];
                    foreach ($v as $i => $item) {
                        $out[] = self::nonemptyText("{$name}[$i]", $item);
                    }
                    return $out;
                }
                $one = self::nonemptyText($name, $v);
                return $ty === 'id_list' ? [$one] : $one;
            case 'goods':
                return self::goods($name, $v, $ty);
            case 'utm':
                if (is_array($v)) {
                    // PHP's json_encode writes an empty array as [].
                    if ($v === []) {
                        return [];
                    }
                    throw self::wrong($name, $ty, $v);
                }
                if (!is_object($v)) {
                    throw self::wrong($name, $ty, $v);
                }
                $out = [];
                foreach (self::entries($v) as $k => $tv) {
                    if (!in_array($k, Table::UTM_KEYS, true)) {
                        throw new InvalidArgumentException(self::unknown("key of $name", $k, Table::UTM_KEYS));
                    }
                    if ($tv !== null) {
                        $out[$k] = self::checkValue("{$name}[$k]", 'text', $tv);
                    }
                }
                return $out;
            case 'domain':
                if ($s === null) {
                    throw self::wrong($name, $ty, $v);
                }
                $lower = strtolower(substr($s, 0, 8));
                $host = str_starts_with($lower, 'https://') ? substr($s, 8)
                    : (str_starts_with($lower, 'http://') ? substr($s, 7) : $s);
                if (str_ends_with($host, '/')) {
                    throw new InvalidArgumentException(
                        "$name " . Text::quote($s) . " must not end with '/' (the service then reduces it to '/'): write "
                        . Text::quote(rtrim($host, '/'))
                    );
                }
                if ($host === '' || strpbrk($host, '/?#@') !== false || self::hasSpaceOrControl($host)) {
                    throw new InvalidArgumentException("$name " . Text::quote($s) . " must be a host name such as 'shop.example.com'");
                }
                return $v;
        }
        throw new \LogicException("Table type '$ty' is not known to Validate");
    }

    /** @return list<array<string, mixed>> */
    private static function goods(string $name, mixed $v, string $ty): array
    {
        if (!is_array($v)) {
            throw self::wrong($name, $ty, $v);
        }
        if ($v === []) {
            throw new InvalidArgumentException("$name must list at least one product ({\"good_name\": ...})");
        }
        $out = [];
        foreach ($v as $i => $line) {
            $here = "{$name}[$i]";
            if (!is_object($line)) {
                throw new InvalidArgumentException("$here must be an object {good_name, good_sum}, got " . self::typeName($line));
            }
            $o = [];
            foreach (self::entries($line) as $k => $fv) {
                if (!in_array($k, Table::GOODS_KEYS, true)) {
                    throw new InvalidArgumentException(self::unknown("key of $here", $k, Table::GOODS_KEYS));
                }
                if ($fv === null) {
                    continue;
                }
                $sub = "{$here}[$k]";
                if ($k === 'good_name') {
                    $o[$k] = self::nonemptyText($sub, $fv);
                    continue;
                }
                $n = self::checkValue($sub, 'number', $fv);
                if ((float) $n === 0.0) {
                    // The service treats 0 as "not given" and charges the
                    // product's price instead.
                    throw new InvalidArgumentException(
                        "$sub is 0: the service would charge the product's own price instead (free lines are not possible); omit good_sum to use that price"
                    );
                }
                $o[$k] = $n;
            }
            if (!array_key_exists('good_name', $o)) {
                throw new InvalidArgumentException("{$here}[good_name] is required (the product id)");
            }
            $out[] = $o;
        }
        return $out;
    }

    private static function nonemptyText(string $name, mixed $v): string|int
    {
        $t = self::scalarText($v);
        if ($t === null) {
            throw new InvalidArgumentException("$name must be a string or an integer, got " . self::typeName($v));
        }
        if (Text::trim($t) === '') {
            throw new InvalidArgumentException("$name must not be empty");
        }
        /** @var string|int $v */
        return $v;
    }

    private static function scalarText(mixed $v): ?string
    {
        return is_string($v) || is_int($v) ? (string) $v : null;
    }

    /** An integer from a number or a string of up to 18 digits. */
    private static function asInt(mixed $v): ?int
    {
        if (is_int($v)) {
            return $v;
        }
        if (is_string($v)) {
            $t = Text::trim($v);
            $digits = str_starts_with($t, '-') ? substr($t, 1) : $t;
            if ($digits !== '' && strlen($digits) <= 18 && ctype_digit($digits)) {
                return (int) $t;
            }
        }
        return null;
    }

    private static function isDecimal(string $s): bool
    {
        $t = str_starts_with($s, '-') ? substr($s, 1) : $s;
        return preg_match('/^[0-9]{1,15}(\.[0-9]{1,15})?$/D', $t) === 1;
    }

    private static function boolOf(mixed $v): ?bool
    {
        return match (true) {
            is_bool($v) => $v,
            $v === 0, $v === '0', $v === 'false' => false,
            $v === 1, $v === '1', $v === 'true' => true,
            default => null,
        };
    }

    private static function unix(string $name, int $t): int
    {
        if ($t <= 0) {
            throw new InvalidArgumentException("$name must be a positive UNIX time in seconds, got $t");
        }
        if ($t > self::MAX_UNIX) {
            throw new InvalidArgumentException(
                "$name must be a UNIX time in seconds, got $t, which is after the year 9999 (milliseconds? divide by 1000)"
            );
        }
        return $t;
    }

    /** calendar.rs date(): a real date of the years 1970..=9999. */
    private static function realDate(int $y, int $m, int $d): bool
    {
        if ($y < 1970 || $y > 9999 || $m < 1 || $m > 12 || $d < 1) {
            return false;
        }
        $leap = ($y % 4 === 0 && $y % 100 !== 0) || $y % 400 === 0;
        $days = [31, $leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][$m - 1];
        return $d <= $days;
    }

    /** @param string|array{0: string, 1: list<string>} $ty */
    private static function wrong(string $name, string|array $ty, mixed $v): InvalidArgumentException
    {
        return new InvalidArgumentException(
            "$name must be " . self::describe($ty) . self::enumList($ty) . ', got ' . self::typeName($v)
        );
    }

    /** @param string|array{0: string, 1: list<string>} $ty */
    private static function describe(string|array $ty): string
    {
        if (is_array($ty)) {
            return 'one of the listed values';
        }
        return match ($ty) {
            'text' => 'text',
            'int' => 'an integer',
            'number' => 'a non-negative number',
            'bool' => 'a boolean',
            'email' => 'an e-mail address',
            'url' => 'an http(s) URL',
            'date_dmy' => 'a date dd.mm.yyyy',
            'date_ymd' => 'a date YYYY-MM-DD',
            'unix_seconds' => 'a UNIX time in seconds',
            'id_list' => 'a list of ids',
            'id_or_list' => 'an id or a list of ids',
            'goods' => 'a list of {good_name, good_sum} objects',
            'utm' => 'an object of UTM tags',
            'timer_kill' => 'a boolean or a UNIX time in seconds',
            'domain' => 'a host name',
            'flag' => 'any scalar',
            default => throw new \LogicException("Table type '$ty' is not known to Validate"),
        };
    }

    /** @param string|array{0: string, 1: list<string>} $ty */
    private static function enumList(string|array $ty): string
    {
        return is_array($ty) ? ': one of ' . implode(', ', $ty[1]) : '';
    }

    /** @param list<string> $candidates */
    private static function unknown(string $what, string $key, array $candidates): string
    {
        $s = self::suggest($key, $candidates);
        $hint = $s !== null ? " (did you mean '$s'? names are case-sensitive)" : '';
        return "unknown $what " . Text::quote($key) . $hint;
    }

    // ---------------------------------------------------------------
    // UpdateGood's fields (src/good.rs).

    /** Field::from_json of field `$name` for a (non-null) library value. */
    private static function goodField(string $name, mixed $v): mixed
    {
        $ty = Table::GOOD_FIELDS[$name];
        if (is_array($ty)) {
            if (!is_string($v)) {
                throw new InvalidArgumentException("$name must be one of " . implode(', ', $ty[1]) . ', got ' . self::typeName($v));
            }
            self::parseEnum($name, $v, $ty[1]);
            return $v;
        }
        switch ($ty) {
            case 'string':
                if (is_string($v) || is_int($v)) {
                    return (string) $v;
                }
                throw new InvalidArgumentException("$name must be a string, got " . self::typeName($v));
            case 'int':
                if (is_int($v)) {
                    return $v;
                }
                if (is_string($v)) {
                    return self::parseI64(Text::trim($v))
                        ?? throw new InvalidArgumentException("$name must be an integer, got " . Text::quote($v));
                }
                throw new InvalidArgumentException("$name must be an integer, got " . self::typeName($v));
            case 'float':
                if (is_int($v) || is_float($v)) {
                    return (float) $v;
                }
                if (is_string($v)) {
                    $t = Text::trim($v);
                    if (preg_match('/^[0-9.]*[0-9][0-9.]*$/D', $t) === 1 && substr_count($t, '.') <= 1) {
                        return (float) $t;
                    }
                    throw new InvalidArgumentException("$name must be a number, got " . Text::quote($v));
                }
                throw new InvalidArgumentException("$name must be a number, got " . self::typeName($v));
            case 'bool':
                if (is_bool($v)) {
                    return $v ? 1 : 0;
                }
                if ($v === 0 || $v === 1 || $v === '0' || $v === '1') {
                    return (int) $v;
                }
                if (is_string($v)) {
                    throw new InvalidArgumentException("$name " . Text::quote($v) . ' is not one of 0, 1');
                }
                if (is_int($v)) {
                    throw new InvalidArgumentException("$name $v is not one of 0, 1");
                }
                throw new InvalidArgumentException("$name must be 0 or 1, got " . self::typeName($v));
        }
        throw new \LogicException("good field type '$ty' is not known to Validate");
    }

    /**
     * Good::to_params: the rules across fields, then each field's own, in
     * the order the fields are sent.
     *
     * @param array<string, mixed> $fields the typed fields that were given
     *
     * @return array<string, mixed>
     */
    private static function goodParams(array $fields): array
    {
        $name = (string) ($fields['good_name'] ?? '');
        if (Text::trim($name) === '') {
            throw new InvalidArgumentException('good_name is required: the id of the product to update');
        }
        $countries = $fields['good_only_countries'] ?? null;
        if (is_string($countries) && preg_match('/[' . self::WS . ']/u', $countries) === 1) {
            $fixed = (string) preg_replace('/[' . self::WS . ']/u', '', $countries);
            throw new InvalidArgumentException(
                'good_only_countries ' . Text::quote($countries) . ' must not contain spaces: write ' . Text::quote($fixed)
            );
        }
        if (($fields['good_timer_duration'] ?? null) === 0) {
            throw new InvalidArgumentException('good_timer_duration must be at least 1');
        }
        $out = ['good_name' => $name];
        foreach (Table::GOOD_FIELDS as $field => $ty) {
            if ($field === 'good_name' || !array_key_exists($field, $fields)) {
                continue;
            }
            $x = $fields[$field];
            if ($ty === 'int' && is_int($x) && $x < 0) {
                throw new InvalidArgumentException("$field must not be negative, got $x");
            }
            if ($ty === 'float' && is_float($x) && (!is_finite($x) || $x < 0.0)) {
                throw new InvalidArgumentException("$field must be a non-negative number, got " . self::rustFloat($x));
            }
            $out[$field] = $x;
        }
        return $out;
    }

    private static function unknownField(string $key): string
    {
        $s = self::suggest($key, array_map('strval', array_keys(Table::GOOD_FIELDS)));
        $hint = $s !== null ? " (did you mean '$s'? field names are case-sensitive)" : '';
        return 'unknown UpdateGood field ' . Text::quote($key) . $hint;
    }

    /** Rust's i64::from_str: an optional sign and decimal digits, in range. */
    private static function parseI64(string $t): ?int
    {
        if (preg_match('/^([+-]?)0*([0-9]+)$/D', $t, $m) !== 1) {
            return null;
        }
        $limit = $m[1] === '-' ? '9223372036854775808' : '9223372036854775807';
        if (strlen($m[2]) > 19 || strlen($m[2]) === 19 && strcmp($m[2], $limit) > 0) {
            return null;
        }
        if ($m[1] === '-' && $m[2] === '9223372036854775808') {
            return PHP_INT_MIN;
        }
        return (int) ($m[1] === '-' ? '-' . $m[2] : $m[2]);
    }

    // ---------------------------------------------------------------
    // The typed endpoints (src/endpoints.rs).

    /**
     * An api_enum's parse_for.
     *
     * @param list<string> $values
     */
    private static function parseEnum(string $field, string $s, array $values): void
    {
        if (!in_array($s, $values, true)) {
            throw new InvalidArgumentException("$field " . Text::quote($s) . ' is not one of ' . implode(', ', $values));
        }
    }

    private static function required(string $name, string $value, string $what): void
    {
        if (Text::trim($value) === '') {
            throw new InvalidArgumentException("$name is required ($what) and must not be empty");
        }
    }

    /**
     * update_order_status(): `$status` is one of ORDER_STATUS.
     *
     * @return array<string, mixed>
     */
    private static function orderStatus(string $billId, string $status, ?int $date, ?string $rpo): array
    {
        self::required('bill_id', $billId, 'the order number');
        if ($date !== null) {
            if ($date <= 0) {
                throw new InvalidArgumentException("date must be a positive UNIX timestamp, got $date");
            }
            if ($date > self::MAX_UNIX) {
                throw new InvalidArgumentException(
                    "date must be a UNIX timestamp in seconds, got $date, which is after the year 9999 (milliseconds? divide by 1000)"
                );
            }
        }
        if (($status === 'sent' || $status === 'paid') && $date === null) {
            $what = $status === 'sent' ? 'mailing' : 'payment';
            throw new InvalidArgumentException("date is required for status '$status' (UNIX timestamp of the $what)");
        }
        // A blank rpo is the same as none.
        if ($rpo !== null && Text::trim($rpo) === '') {
            $rpo = null;
        }
        if ($status === 'sent' && $rpo === null) {
            throw new InvalidArgumentException("rpo (postal tracking number) is required for status 'sent'");
        }
        $out = ['bill_id' => $billId, 'status' => $status];
        if ($date !== null) {
            $out['date'] = $date;
        }
        if ($rpo !== null) {
            $out['rpo'] = $rpo;
        }
        return $out;
    }

    /** validate_email(): the library's message, or null for a good address. */
    private static function emailError(string $email): ?string
    {
        if (Text::trim($email) === '') {
            return 'email is required: GetBills lists the orders of the customer with this e-mail';
        }
        $bad = 'email ' . Text::quote($email) . ' is not a valid e-mail address (expected name@domain.tld)';
        if (strlen($email) > 254 || self::hasSpaceOrControl($email)) {
            return $bad;
        }
        $at = strrpos($email, '@');
        if ($at === false) {
            return $bad;
        }
        $local = substr($email, 0, $at);
        $domain = substr($email, $at + 1);
        if (
            $local === ''
            || str_contains($local, '@')
            || strlen($local) > 64
            || strlen($domain) < 3
            || !str_contains($domain, '.')
            || str_starts_with($domain, '.') || str_starts_with($domain, '-')
            || str_ends_with($domain, '.') || str_ends_with($domain, '-')
            || str_contains($domain, '..')
            || strpbrk($domain, "()<>[]\\,;:\"'/") !== false
        ) {
            return $bad;
        }
        return null;
    }

    // ---------------------------------------------------------------
    // The values as the library reads them.

    /**
     * The JSON the FFI engine hands the library for `$value`; what its
     * json_encode() refuses (invalid UTF-8, INF or NAN, too deep, a
     * resource) is refused here as "<what> cannot be sent", whichever engine
     * serves, as the library never sees it.
     */
    public static function encodable(mixed $value, string $what): string
    {
        try {
            return json_encode($value, self::JSON_OUT, self::JSON_DEPTH);
        } catch (\JsonException $e) {
            throw new InvalidArgumentException("$what cannot be sent: " . $e->getMessage(), 0, $e);
        }
    }

    /**
     * {@see encodable()}, then the C ABI's size limit of the JSON argument
     * `$arg` and serde_json's nesting limit, as the library reports them.
     */
    public static function json(mixed $value, string $what, string $arg): void
    {
        $json = self::encodable($value, $what);
        if (strlen($json) > self::MAX_JSON_INPUT) {
            throw new InvalidArgumentException("$arg is larger than " . self::MAX_JSON_INPUT . ' bytes');
        }
        if (substr_count($json, '[') + substr_count($json, '{') < self::JSON_RECURSION) {
            return;
        }
        // json_encode writes no raw newline: every error is on line 1, and
        // serde_json counts columns in bytes.
        preg_match_all('/"(?:[^"\\\\]++|\\\\.)*+"|[\[\]{}]/', $json, $tokens, PREG_OFFSET_CAPTURE);
        $depth = 0;
        foreach ($tokens[0] as [$token, $offset]) {
            if ($token === '[' || $token === '{') {
                if (++$depth >= self::JSON_RECURSION) {
                    throw new InvalidArgumentException(
                        "$arg: malformed JSON: recursion limit exceeded at line 1 column " . ($offset + 1)
                    );
                }
            } elseif ($token === ']' || $token === '}') {
                $depth--;
            }
        }
    }

    /**
     * A PHP value as the library's Params::from_json reads its JSON: null,
     * bool, int, float (a number JSON writes with a fraction or an
     * exponent), string, list (a PHP list) or map (\stdClass, from any
     * other array or object).
     */
    private static function lib(mixed $v): mixed
    {
        if (is_float($v)) {
            return self::jsonNumber($v);
        }
        if (is_array($v)) {
            if (array_is_list($v)) {
                return array_map([self::class, 'lib'], $v);
            }
            return self::map($v);
        }
        if ($v instanceof \stdClass) {
            return self::map(get_object_vars($v));
        }
        if ($v instanceof \JsonSerializable) {
            return self::lib($v->jsonSerialize());
        }
        if ($v instanceof \BackedEnum) {
            return $v->value;
        }
        if (is_object($v)) {
            // What json_encode writes of it, read back (already encoded
            // once without error by json()).
            $json = json_encode($v, self::JSON_OUT, self::JSON_DEPTH);
            return self::lib(json_decode($json, false, self::JSON_DEPTH, JSON_THROW_ON_ERROR));
        }
        return $v;
    }

    /** @param array<array-key, mixed> $entries */
    private static function map(array $entries): \stdClass
    {
        $o = new \stdClass();
        foreach ($entries as $k => $x) {
            $o->{(string) $k} = self::lib($x);
        }
        return $o;
    }

    /**
     * A float as serde_json reads json_encode's text of it: written
     * without a fraction or an exponent it is an integer (1.0 is 1), "-0"
     * is the float -0.
     */
    private static function jsonNumber(float $f): int|float
    {
        $t = json_encode($f, self::JSON_OUT);
        if (preg_match('/^(-?)([0-9]+)$/D', $t, $m) !== 1) {
            return (float) $t;
        }
        if ($m[1] === '-' && ltrim($m[2], '0') === '') {
            return -0.0;
        }
        return self::parseI64($t) ?? (float) $t;
    }

    /** @return array<string, mixed> */
    private static function entries(object $o): array
    {
        $out = [];
        foreach (get_object_vars($o) as $k => $v) {
            $out[(string) $k] = $v;
        }
        return $out;
    }

    /** Value::type_name. */
    private static function typeName(mixed $v): string
    {
        return match (true) {
            $v === null => 'null',
            is_bool($v) => 'a boolean',
            is_int($v), is_float($v) => 'a number',
            is_string($v) => 'a string',
            is_array($v) => 'a list',
            default => 'an object',
        };
    }

    // ---------------------------------------------------------------
    // Text as Rust handles it.

    private static function hasSpaceOrControl(string $s): bool
    {
        return preg_match('/[' . self::WS . self::CC . ']/u', $s) === 1;
    }

    /**
     * The C ABI's check of a text argument (the FFI engine passes it as a
     * C string): invalid UTF-8 is named with the offset of its first bad byte.
     */
    public static function utf8(string $s, string $name): void
    {
        $at = Text::invalidUtf8At($s);
        if ($at !== null) {
            throw new InvalidArgumentException("$name is not valid UTF-8 (bad byte at offset $at)");
        }
    }

    /** JustClick\Client's refusal of a NUL byte (C would cut the string there). */
    private static function noNul(string $value, string $name): void
    {
        if (str_contains($value, "\0")) {
            throw new InvalidArgumentException("$name contains a NUL byte");
        }
    }

    /**
     * A float as Rust's Display writes it: the shortest digits that read
     * back, never an exponent ("-1", "0.0000001", "inf").
     */
    private static function rustFloat(float $f): string
    {
        if (is_nan($f)) {
            return 'NaN';
        }
        if (is_infinite($f)) {
            return $f > 0 ? 'inf' : '-inf';
        }
        $sign = $f < 0 || ($f === 0.0 && fdiv(1.0, $f) < 0) ? '-' : '';
        $old = ini_set('serialize_precision', '-1');
        try {
            $t = json_encode(abs($f), self::JSON_OUT);
        } finally {
            if ($old !== false) {
                ini_set('serialize_precision', $old);
            }
        }
        preg_match('/^([0-9]+)(?:\.([0-9]+))?(?:e([+-][0-9]+))?$/D', $t, $m);
        $int = $m[1];
        $frac = $m[2] ?? '';
        $exp = (int) ($m[3] ?? 0);
        $digits = ltrim($int . $frac, '0');
        if ($digits === '') {
            return $sign . '0';
        }
        // The value is 0.<digits> × 10^$point.
        $point = strlen($int) + $exp - (strlen($int . $frac) - strlen(ltrim($int . $frac, '0')));
        $digits = rtrim($digits, '0');
        if ($point <= 0) {
            return $sign . '0.' . str_repeat('0', -$point) . $digits;
        }
        if ($point >= strlen($digits)) {
            return $sign . $digits . str_repeat('0', $point - strlen($digits));
        }
        return $sign . substr($digits, 0, $point) . '.' . substr($digits, $point);
    }

    /**
     * suggest(): the candidate closest to `$key` (equal but for ASCII case,
     * then at most 2 edits, then one being the other with a `word_`
     * prefix), or null; none for names over 64 bytes.
     *
     * @param list<string> $candidates
     */
    private static function suggest(string $key, array $candidates): ?string
    {
        if (strlen($key) > self::SUGGEST_MAX_LEN) {
            return null;
        }
        foreach ($candidates as $c) {
            if (strlen($c) === strlen($key) && strtolower($c) === strtolower($key)) {
                return $c;
            }
        }
        foreach ($candidates as $c) {
            if (self::withinDistance($c, $key, 2)) {
                return $c;
            }
        }
        $under = static fn (string $long, string $short): bool => strlen($long) > strlen($short) + 1
            && str_ends_with($long, $short)
            && $long[strlen($long) - strlen($short) - 1] === '_';
        foreach ($candidates as $c) {
            if ($under($key, $c) || $under($c, $key)) {
                return $c;
            }
        }
        return null;
    }

    /** suggest.rs within_distance: banded Levenshtein on bytes. */
    private static function withinDistance(string $a, string $b, int $max): bool
    {
        $la = strlen($a);
        $lb = strlen($b);
        if (abs($la - $lb) > $max || $la > self::SUGGEST_MAX_LEN || $lb > self::SUGGEST_MAX_LEN) {
            return false;
        }
        $big = PHP_INT_MAX >> 1;
        $prev = range(0, $lb);
        for ($i = 1; $i <= $la; $i++) {
            $cur = array_fill(0, $lb + 1, $big);
            if ($i <= $max) {
                $cur[0] = $i;
            }
            $lo = max($i - $max, 1);
            $hi = min($i + $max, $lb);
            for ($j = $lo; $j <= $hi; $j++) {
                $cur[$j] = min($prev[$j - 1] + ($a[$i - 1] !== $b[$j - 1] ? 1 : 0), $prev[$j] + 1, $cur[$j - 1] + 1);
            }
            $prev = $cur;
        }
        return $prev[$lb] <= $max;
    }
}
