<?php

declare(strict_types=1);

namespace JustClick\Pure;

/**
 * How libjustclick writes values into its messages, so the pure-PHP
 * engine's messages are the library's: `quote()` (src/endpoints.rs),
 * `printable()` (src/transport.rs), Rust's `{:?}` and UTF-8 checks. No
 * mbstring needed (it is not on every host).
 *
 * @internal
 */
final class Text
{
    /** One UTF-8 character, or one byte that starts none. */
    private const CHAR = '/[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}'
        . '|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}|(.)/s';

    private function __construct()
    {
    }

    /**
     * The library's quote(): single quotes, at most 60 characters then
     * `…`, control characters escaped as Rust's escape_default does.
     */
    public static function quote(string $s): string
    {
        $out = "'";
        $i = 0;
        foreach (self::chars(self::lossy($s)) as $c) {
            if ($i++ === 60) {
                $out .= '…';
                break;
            }
            $out .= self::isControl($c) ? self::escapeDefault($c) : $c;
        }
        return $out . "'";
    }

    /**
     * The library's printable(): control characters become spaces, the
     * text is trimmed and written as Rust's `{:?}`.
     */
    public static function printable(string $s): string
    {
        $clean = '';
        foreach (self::chars(self::lossy($s)) as $c) {
            $clean .= self::isControl($c) ? ' ' : $c;
        }
        return self::debug(self::trim($clean));
    }

    /** Rust's `{:?}` of a string. */
    public static function debug(string $s): string
    {
        $out = '"';
        foreach (self::chars(self::lossy($s)) as $c) {
            $out .= match ($c) {
                '"' => '\\"',
                '\\' => '\\\\',
                "\n" => '\\n',
                "\r" => '\\r',
                "\t" => '\\t',
                "\0" => '\\0',
                default => self::isControl($c) ? self::escapeUnicode($c) : $c,
            };
        }
        return $out . '"';
    }

    /**
     * `$s` with every byte that starts no UTF-8 character replaced by
     * U+FFFD, as String::from_utf8_lossy writes it (per byte; Rust joins
     * the bytes of one cut-off character into one U+FFFD).
     */
    public static function lossy(string $s): string
    {
        if (preg_match('//u', $s) === 1) {
            return $s;
        }
        return (string) preg_replace_callback(
            self::CHAR,
            static fn (array $m): string => isset($m[1]) ? "\u{FFFD}" : $m[0],
            $s
        );
    }

    /** The offset of the first byte that is not valid UTF-8, null when all is valid. */
    public static function invalidUtf8At(string $s): ?int
    {
        if (preg_match('//u', $s) === 1) {
            return null;
        }
        preg_match_all(self::CHAR, $s, $m, PREG_OFFSET_CAPTURE | PREG_SET_ORDER);
        foreach ($m as $match) {
            if (isset($match[1])) {
                return $match[1][1];
            }
        }
        return null;
    }

    /**
     * The characters of valid UTF-8 text.
     *
     * @return list<string>
     */
    private static function chars(string $s): array
    {
        return preg_split('//u', $s, -1, PREG_SPLIT_NO_EMPTY) ?: [];
    }

    /** Unicode's Cc category: what Rust's char::is_control() says. */
    private static function isControl(string $c): bool
    {
        return preg_match('/^[\x00-\x1f\x7f]$|^\xc2[\x80-\x9f]$/', $c) === 1;
    }

    private static function escapeDefault(string $c): string
    {
        return match ($c) {
            "\t" => '\\t',
            "\r" => '\\r',
            "\n" => '\\n',
            default => self::escapeUnicode($c),
        };
    }

    private static function escapeUnicode(string $c): string
    {
        $cp = strlen($c) === 1 ? ord($c) : ((ord($c[0]) & 0x1f) << 6) | (ord($c[1]) & 0x3f);
        return sprintf('\\u{%x}', $cp);
    }

    /** Rust's str::trim(): Unicode white space at both ends (of UTF-8 text). */
    public static function trim(string $s): string
    {
        return (string) preg_replace('/^[\s\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+|[\s\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+$/u', '', $s);
    }
}
