<?php

declare(strict_types=1);

namespace JustClick\Pure;

use JustClick\BadSignatureException;
use JustClick\InvalidArgumentException;

/**
 * The pure-PHP engine's notification check, a port of the library's
 * jc_verify_notification (`src/notify.rs`, `src/php.rs`, `src/keys.rs`;
 * API-EXT.md section 8): the body is parsed as PHP fills `$_POST`, the
 * event recognised by its keys, and the `hash` of order events,
 * `md5(id . email . time . secret)`, compared in constant time against the
 * documented time field first and the empty time second.
 *
 * The parse is a port of the library's emulation of PHP 8.2's `$_POST`,
 * not parse_str(): parse_str() stops at a raw NUL byte (a POST body does
 * not), truncates with a warning at the running php.ini's max_input_vars
 * and follows the running PHP's version and nesting settings, while the
 * verdict must be the library's whatever the server's PHP. Results,
 * exception classes and messages are the FFI engine's; the PHP suite
 * compares the two. Stateless: the secret is an argument, never kept,
 * never put in a message.
 *
 * @internal
 */
final class Notify
{
    /** Most name=value pairs (PHP's default max_input_vars: Wire::MAX_VALUES plus `hash`). */
    public const MAX_VARS = Wire::MAX_VALUES + 1;

    /** Deepest `[...]` nesting kept (PHP's default max_input_nesting_level). */
    private const MAX_NESTING = 64;

    /** The C ABI's bound on a byte argument, checked before the body is read. */
    private const MAX_FFI_BYTES = 16 << 20;

    /** Event => the time field its documented signature covers; null: unsigned. */
    private const TIME_FIELD = [
        'new_order' => 'created',
        'cancel_order' => 'created',
        'payment' => 'paid',
        'prepayment' => 'paid',
        'moneyback' => 'paid',
        'subscribe' => null,
        'unsubscribe' => null,
    ];

    private function __construct()
    {
    }

    /**
     * Parses, recognises and verifies a notification body, returning the
     * document the FFI engine decodes from jc_verify_notification:
     * `fields` is `$_POST` without `hash` (nested arrays, string leaves).
     *
     * @return array{ok: true, event: string, verified: bool, hash_rule: ?string, fields: array<array-key, mixed>}
     *
     * @throws InvalidArgumentException a body that is no notification, not UTF-8, too large or with too many pairs
     * @throws BadSignatureException    an order event whose `hash` is missing or does not match
     */
    public static function verify(string $body, #[\SensitiveParameter] string $secret): array
    {
        if (strlen($body) > self::MAX_FFI_BYTES) {
            // What the FFI engine answers before the library sees the body.
            throw new InvalidArgumentException('body is larger than ' . self::MAX_FFI_BYTES . ' bytes');
        }
        $post = [];
        foreach (self::pairs($body) as [$name, $value]) {
            self::register($post, $name, $value);
        }
        $hash = $post['hash'] ?? null;
        unset($post['hash']);
        $event = self::recognise($post);
        $rule = self::TIME_FIELD[$event] === null ? null : self::checkHash($event, $post, $hash, $secret);
        return ['ok' => true, 'event' => $event, 'verified' => $rule !== null, 'hash_rule' => $rule, 'fields' => $post];
    }

    /**
     * The decoded pairs, refusing what PHP would not read whole (size,
     * max_input_vars) or what is not UTF-8 once decoded: the hash covers
     * decoded bytes, so a replaced byte would fail it for an unclear reason.
     *
     * @return list<array{0: string, 1: string}>
     *
     * @throws InvalidArgumentException
     */
    private static function pairs(string $body): array
    {
        $len = strlen($body);
        if ($len > Wire::MAX_BODY_BYTES) {
            throw new InvalidArgumentException(
                "notification body has $len bytes, more than " . Wire::MAX_BODY_BYTES
                . " (PHP's default post_max_size): not a JustClick notification"
            );
        }
        $pairs = [];
        $i = 0;
        while (true) {
            $i += strspn($body, '&', $i);
            if ($i >= $len) {
                break;
            }
            $end = strpos($body, '&', $i);
            $end = $end === false ? $len : $end;
            $pair = substr($body, $i, $end - $i);
            $i = $end;
            if (count($pairs) + 1 > self::MAX_VARS) {
                throw new InvalidArgumentException(
                    'notification body has more than ' . self::MAX_VARS
                    . " variables (PHP's max_input_vars): PHP would drop the rest, so it is not verified"
                );
            }
            $eq = strpos($pair, '=');
            $name = urldecode($eq === false ? $pair : substr($pair, 0, $eq));
            $value = $eq === false ? '' : urldecode(substr($pair, $eq + 1));
            if (preg_match('//u', $name) !== 1 || preg_match('//u', $value) !== 1) {
                throw new InvalidArgumentException(
                    'notification body is not UTF-8 once percent-decoded (JustClick sends UTF-8)'
                );
            }
            $pairs[] = [$name, $value];
        }
        return $pairs;
    }

    /**
     * PHP's php_register_variable_ex for one decoded pair, as src/php.rs
     * emulates it: the name cut at NUL, leading spaces dropped, ' ' and '.'
     * mangled to '_' before the first '[', up to 64 levels of `[key]`,
     * cookie-prefix names dropped (CVE-2022-31629). Array keys are PHP's,
     * so numeric strings become integers exactly as json_decode makes them.
     *
     * @param array<array-key, mixed> $root
     */
    private static function register(array &$root, string $raw, string $value): void
    {
        $nul = strpos($raw, "\0");
        $name = ltrim($nul === false ? $raw : substr($raw, 0, $nul), ' ');
        $n = strlen($name);
        $bracket = strcspn($name, '[');
        $var = strtr(substr($name, 0, $bracket), ' .', '__');
        if ($var === '') {
            return;
        }
        /** @var list<?string> $indexes null: an append (`[]`) */
        $indexes = [];
        if ($bracket < $n) {
            $ip = $bracket;
            while (true) {
                if (count($indexes) + 1 > self::MAX_NESTING) {
                    return; // PHP drops the whole variable.
                }
                $ip++;
                $start = $ip;
                if ($ip < $n && in_array($name[$ip], [' ', "\r", "\n", "\t"], true)) {
                    $ip++;
                }
                if ($ip < $n && $name[$ip] === ']') {
                    $indexes[] = null;
                } else {
                    $close = strpos($name, ']', $ip);
                    if ($close === false) {
                        // No closing bracket: not an array after all.
                        if ($indexes === []) {
                            $var .= '_' . strtr(substr($name, $start), ' .[', '___');
                        }
                        break;
                    }
                    $ip = $close;
                    $indexes[] = substr($name, $start, $ip - $start);
                }
                $ip++;
                if ($ip >= $n || $name[$ip] !== '[') {
                    break;
                }
            }
        }
        if (self::forbidden($var, $name)) {
            return;
        }
        $slot = &$root;
        $key = $var;
        foreach ($indexes as $index) {
            if ($key === null) {
                $key = self::nextIndex($slot);
                if ($key === null) {
                    return; // no integer key left to append at: PHP drops it
                }
                $slot[$key] = [];
            } elseif (!is_array($slot[$key] ?? null)) {
                $slot[$key] = []; // in place: a scalar becomes an array
            }
            $slot = &$slot[$key];
            // Checked after the arrays before it were made, as PHP does.
            if ($index !== null && self::forbidden($index, $name)) {
                return;
            }
            $key = $index;
        }
        $key ??= self::nextIndex($slot);
        if ($key !== null) {
            $slot[$key] = $value;
        }
    }

    /**
     * PHP's cookie-prefix rule (src/keys.rs): a key starting with `__Host-`
     * or `__Secure-` that the name as sent does not start with.
     */
    private static function forbidden(string $key, string $name): bool
    {
        foreach (['__Host-', '__Secure-'] as $prefix) {
            if (str_starts_with($key, $prefix) && !str_starts_with($name, $prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * PHP 8.2's next append key, computed rather than left to `$a[]` so
     * that the running PHP's version does not decide it: one past the
     * largest integer key (negative ones included), 0 for none, null past
     * PHP_INT_MAX.
     *
     * @param array<array-key, mixed> $map
     */
    private static function nextIndex(array $map): ?int
    {
        $max = null;
        foreach (array_keys($map) as $k) {
            if (is_int($k) && ($max === null || $k > $max)) {
                $max = $k;
            }
        }
        if ($max === null) {
            return 0;
        }
        return $max === PHP_INT_MAX ? null : $max + 1;
    }

    /**
     * The event, by the keys API-EXT.md section 8 says tell them apart.
     *
     * @param array<array-key, mixed> $post
     *
     * @throws InvalidArgumentException
     */
    private static function recognise(array $post): string
    {
        $status = $post['status'] ?? null;
        if (is_array($status)) {
            throw new InvalidArgumentException("notification field 'status' is an array, not a text");
        }
        if (is_string($status)) {
            $subscription = in_array($status, ['0', '1', '2'], true);
            $event = match (true) {
                in_array($status, ['new_order', 'cancel_order', 'moneyback'], true) => $status,
                $subscription && array_key_exists('id_group', $post) => $status === '0' ? 'unsubscribe' : 'subscribe',
                default => throw new InvalidArgumentException(
                    'not a JustClick notification: unknown status ' . Text::quote($status)
                    . ($subscription ? " without 'id_group'" : '')
                    . ' (expected new_order, cancel_order, moneyback, or 0/1/2 with id_group)'
                ),
            };
        } elseif (array_key_exists('prepayment_sum', $post)) {
            $event = 'prepayment';
        } elseif (array_key_exists('paid', $post) || array_key_exists('last_payment_sum', $post)) {
            $event = 'payment';
        } else {
            throw new InvalidArgumentException(
                "not a JustClick notification: no 'status', 'paid', 'last_payment_sum' or 'prepayment_sum' field"
            );
        }
        if (self::TIME_FIELD[$event] !== null && !array_key_exists('id', $post)) {
            throw new InvalidArgumentException("$event notification has no 'id' field");
        }
        return $event;
    }

    /**
     * Checks `hash` against the documented time and the empty time (both
     * always computed, so the time taken does not say which matched); the
     * message never says what the expected hash is.
     *
     * @param array<array-key, mixed> $post
     *
     * @throws InvalidArgumentException a signed field is an array
     * @throws BadSignatureException
     */
    private static function checkHash(string $event, array $post, mixed $received, #[\SensitiveParameter] string $secret): string
    {
        $id = self::signedText($post, 'id');
        $email = self::signedText($post, 'email');
        if (is_array($received)) {
            throw new BadSignatureException(
                "$event notification's 'hash' is an array, not a text: it is not verified"
            );
        }
        if (!is_string($received) || $received === '') {
            throw new BadSignatureException("$event notification carries no 'hash': it is not verified");
        }
        $field = (string) self::TIME_FIELD[$event];
        // An absent time field reads as "" in PHP: only the empty-time variant.
        $documented = array_key_exists($field, $post) ? self::signedText($post, $field) : null;
        $documentedOk = $documented !== null && hash_equals(md5($id . $email . $documented . $secret), $received);
        $emptyOk = hash_equals(md5($id . $email . $secret), $received);
        if ($documentedOk) {
            return 'documented';
        }
        if ($emptyOk) {
            return 'empty_time';
        }
        throw new BadSignatureException(
            "$event notification's 'hash' does not match (md5 of id, email, $field or an empty time, and the API key): "
            . 'it is forged, altered or signed with another key'
        );
    }

    /**
     * A signed field as text: absent is "" (as PHP's concatenation reads
     * it); an array is refused (PHP would sign the word "Array").
     *
     * @param array<array-key, mixed> $post
     *
     * @throws InvalidArgumentException
     */
    private static function signedText(array $post, string $name): string
    {
        $v = $post[$name] ?? '';
        if (!is_string($v)) {
            throw new InvalidArgumentException("notification field '$name' is an array, not a text");
        }
        return $v;
    }
}
