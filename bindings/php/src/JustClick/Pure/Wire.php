<?php

declare(strict_types=1);

namespace JustClick\Pure;

use JustClick\BadResponseException;
use JustClick\BadSignatureException;
use JustClick\InvalidArgumentException;

/**
 * The wire rules of the pure-PHP engine, the same as the library's
 * (`src/encode.rs`, `src/sign.rs`, `src/response.rs`; API.md sections 2
 * and 3): the strict form encoder, the request signature and the check of
 * an answer's signature. Stateless and pure: the secret is an argument,
 * never kept. Byte-for-byte the library's output, which the PHP suite
 * checks against the FFI engine and against PHP's own http_build_query.
 *
 * @internal
 */
final class Wire
{
    /** Most pairs in one request (with the hash: PHP's max_input_vars, 1000). */
    public const MAX_VALUES = 999;

    /** Deepest nesting of a parameter. */
    public const MAX_DEPTH = 32;

    /** Largest request body (PHP's default post_max_size). */
    public const MAX_BODY_BYTES = 8 << 20;

    private function __construct()
    {
    }

    /**
     * Encodes `$params` as PHP's http_build_query would, refusing what PHP
     * would parse back differently (so that the signature verifies): bad or
     * reserved names, duplicates, non-finite numbers, too many values, too
     * deep, too large. Floats are written as `%.14G` whatever php.ini's
     * `precision` says.
     *
     * @param array<array-key, mixed> $params
     *
     * @throws InvalidArgumentException
     */
    public static function encode(array $params): string
    {
        $out = [];
        $count = 0;
        $size = 0;
        self::map($params, [], 0, $out, $count, $size);
        return implode('&', $out);
    }

    /** The request signature: md5(body::login::secret), lowercase hex. */
    public static function requestHash(string $body, string $login, #[\SensitiveParameter] string $secret): string
    {
        return md5($body . '::' . $login . '::' . $secret);
    }

    /** The signed body as sent: the body, then `hash=`. */
    public static function signedBody(string $body, string $login, #[\SensitiveParameter] string $secret): string
    {
        $hash = self::requestHash($body, $login, $secret);
        return $body === '' ? 'hash=' . $hash : $body . '&hash=' . $hash;
    }

    /** An answer's signature: md5(code::text::secret). */
    public static function responseHash(string $code, string $text, #[\SensitiveParameter] string $secret): string
    {
        return md5($code . '::' . $text . '::' . $secret);
    }

    /**
     * Reads and verifies an answer body: JSON with `error_code` (a number
     * or a numeric string), `error_text` (a string) and `hash`; the hash
     * is compared in constant time on exact lowercase hex, before anything
     * in the answer is trusted.
     *
     * @return array{code: int, text: string, result: mixed, has_result: bool}
     *
     * @throws BadResponseException  not a JustClick answer
     * @throws BadSignatureException the signature is missing or wrong
     */
    public static function verifyAnswer(string $body, #[\SensitiveParameter] string $secret): array
    {
        try {
            $doc = json_decode($body, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        } catch (\JsonException $e) {
            throw new BadResponseException('the answer is not JSON: ' . self::excerpt($body));
        }
        if (!is_array($doc) || array_is_list($doc) && $doc !== []) {
            throw new BadResponseException('the answer is not a JSON object: ' . self::excerpt($body));
        }
        $code = $doc['error_code'] ?? null;
        if (is_string($code) && preg_match('/^-?[0-9]{1,18}$/D', $code) === 1) {
            $code = (int) $code;
        }
        if (!is_int($code)) {
            throw new BadResponseException('the answer has no numeric error_code');
        }
        $text = $doc['error_text'] ?? null;
        if (!is_string($text)) {
            throw new BadResponseException('the answer has no error_text string');
        }
        $hash = $doc['hash'] ?? null;
        if (!is_string($hash)) {
            throw new BadSignatureException('the answer has no hash: nothing in it is trusted');
        }
        $want = self::responseHash((string) $code, $text, $secret);
        if (!hash_equals($want, $hash)) {
            throw new BadSignatureException('the answer\'s hash is wrong: nothing in it is trusted');
        }
        return [
            'code' => $code,
            'text' => $text,
            'result' => $doc['result'] ?? null,
            'has_result' => array_key_exists('result', $doc),
        ];
    }

    /**
     * @param array<array-key, mixed> $params
     * @param list<string|int>        $path
     * @param list<string>            $out
     */
    private static function map(array $params, array $path, int $depth, array &$out, int &$count, int &$size): void
    {
        $top = $path === [];
        foreach ($params as $key => $value) {
            $key = (string) $key;
            self::checkKey($path, $key, $top);
            // PHP arrays cannot hold a key twice: no duplicate check needed.
            $path[] = $key;
            self::value($value, $path, $depth, $out, $count, $size);
            array_pop($path);
        }
    }

    /**
     * @param list<string|int> $path
     * @param list<string>     $out
     */
    private static function value(mixed $value, array $path, int $depth, array &$out, int &$count, int &$size): void
    {
        if ($value === null) {
            return;
        }
        if (is_array($value)) {
            self::nestCheck($path, $depth);
            if (array_is_list($value)) {
                foreach ($value as $i => $item) {
                    $path[] = $i;
                    self::value($item, $path, $depth + 1, $out, $count, $size);
                    array_pop($path);
                }
                return;
            }
            self::map($value, $path, $depth + 1, $out, $count, $size);
            return;
        }
        if (is_bool($value)) {
            $text = $value ? '1' : '0';
        } elseif (is_int($value)) {
            $text = (string) $value;
        } elseif (is_float($value)) {
            if (!is_finite($value)) {
                $last = array_pop($path);
                throw new InvalidArgumentException(
                    'parameter ' . self::keyPath($path, (string) $last) . ' is not a finite number'
                );
            }
            $text = self::float($value);
        } elseif (is_string($value)) {
            $text = urlencode($value);
        } else {
            $last = array_pop($path);
            throw new InvalidArgumentException(
                'parameter ' . self::keyPath($path, (string) $last) . ' must be a string, number, boolean, null or array, got ' . get_debug_type($value)
            );
        }
        $count++;
        if ($count > self::MAX_VALUES) {
            throw new InvalidArgumentException(
                'request has more than ' . self::MAX_VALUES . ' values: with the signature\'s hash that exceeds PHP\'s max_input_vars (1000), and the service would warn or drop the hash and refuse the call; split the request'
            );
        }
        $pair = self::encodedPath($path) . '=' . $text;
        $size += strlen($pair) + 1;
        if ($size - 1 > self::MAX_BODY_BYTES) {
            throw new InvalidArgumentException(
                'request body exceeds ' . self::MAX_BODY_BYTES . ' bytes (PHP\'s default post_max_size); split the request'
            );
        }
        $out[] = $pair;
    }

    /** A float as PHP's http_build_query writes it at precision 14. */
    public static function float(float $f): string
    {
        // sprintf's %G does not read php.ini's `precision`, unlike (string).
        return urlencode(sprintf('%.14G', $f));
    }

    /** @param list<string|int> $path */
    private static function encodedPath(array $path): string
    {
        $s = urlencode((string) $path[0]);
        for ($i = 1, $n = count($path); $i < $n; $i++) {
            $s .= '%5B' . urlencode((string) $path[$i]) . '%5D';
        }
        return $s;
    }

    /** @param list<string|int> $path */
    private static function nestCheck(array $path, int $depth): void
    {
        if ($depth + 1 >= self::MAX_DEPTH) {
            throw new InvalidArgumentException(
                'parameter ' . Text::debug((string) $path[0]) . ' is nested deeper than ' . self::MAX_DEPTH . ' levels'
            );
        }
    }

    /** @param list<string|int> $path */
    private static function checkKey(array $path, string $key, bool $top): void
    {
        $cookie = false;
        if (!$top) {
            $name = (string) $path[0];
            foreach (['__Host-', '__Secure-'] as $prefix) {
                if (str_starts_with($key, $prefix) && !str_starts_with($name, $prefix)) {
                    $cookie = $prefix;
                }
            }
        }
        $bad = $top ? '/[\x00-\x1f\x7f\[\]. ]/' : '/[\x00-\x1f\x7f\[\]]/';
        $valid = $key !== '' && !($top && $key === 'hash') && !(!$top && $key === ' ')
            && preg_match($bad, $key) !== 1;
        if ($valid && $cookie === false) {
            return;
        }
        if ($key === '') {
            $why = 'is empty (PHP drops pairs with an empty name)';
        } elseif ($top && $key === 'hash') {
            $why = 'is reserved for the request signature';
        } elseif (preg_match('/[\x00-\x1f\x7f]/', $key, $m) === 1) {
            $why = sprintf('contains the control byte 0x%02X, which PHP truncates or mangles', ord($m[0]));
        } elseif (preg_match('/[\[\]]/', $key, $m) === 1) {
            $why = "contains '{$m[0]}', which PHP parses as an array index (pass nested values as a JSON object or list instead)";
        } elseif ($top && str_contains($key, '.')) {
            $why = "contains '.', which PHP renames to '_'";
        } elseif ($top && str_contains($key, ' ')) {
            $why = "contains a space, which PHP renames to '_' or strips";
        } elseif ($cookie !== false) {
            $why = "starts with '$cookie', a cookie-name prefix: PHP 8 drops the whole parameter when an array key starts with it and the top-level name does not";
        } else {
            $why = "is a single space, which PHP reads as '[]' (append)";
        }
        throw new InvalidArgumentException('parameter name ' . self::keyPath($path, $key) . ' ' . $why);
    }

    /**
     * A key path such as "goods[0][good_name]", quoted as the library's
     * messages quote it.
     *
     * @param list<string|int> $path
     */
    private static function keyPath(array $path, string $last): string
    {
        $s = '';
        foreach ([...$path, $last] as $i => $part) {
            $s .= $i === 0 ? (string) $part : '[' . $part . ']';
        }
        return Text::debug($s);
    }

    private static function excerpt(string $body): string
    {
        $cut = substr($body, 0, 120);
        // No mbstring needed: text that is not UTF-8 is shown as hex.
        $shown = preg_match('//u', $cut) === 1 ? Text::debug($cut) : 'bytes ' . bin2hex($cut);
        return $shown . (strlen($body) > 120 ? '...' : '');
    }
}
